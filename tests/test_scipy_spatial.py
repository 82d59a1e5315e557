"""jaxish.scipy.spatial.transform (Rotation, Slerp) against JAX 0.10.2 and scipy.

Reference figures were computed in a separate venv with JAX 0.10.2 (jax.scipy.spatial.transform,
float32) and scipy.spatial.transform (float64 from the same float32 inputs) and pasted here.
"""
import numpy as np
import pytest

import jaxish as jax
import jaxish.numpy as jnp
from jaxish.scipy.spatial.transform import Rotation, Slerp

F32 = np.float32
Q = np.array([[0.3, -0.2, 0.5, 0.7], [1., 2., 3., 4.], [0.1, 0.9, -0.3, 0.2],
              [-0.5, 0.1, 0.2, -0.4]], F32)
V = np.array([[1., -2., 0.5], [0., 1., 3.], [2., 2., -1.], [0.5, 0., 0.]], F32)

# ---- scipy.spatial.transform.Rotation.from_quat(Q) (float64) ----
SC_MAT = [[[0.333333324198522, -0.9425287385064993, 0.022988520354950137], [0.6666666518225977, 0.21839078065819495, -0.7126436993836062], [0.666666686078141, 0.2528735731800599, 0.7011494032378109]], [[0.1333333333333333, -0.6666666666666666, 0.7333333333333332], [0.9333333333333332, 0.33333333333333326, 0.13333333333333336], [-0.33333333333333326, 0.6666666666666665, 0.6666666666666665]], [[-0.8947368351706508, 0.31578948978241833, 0.3157894772340714], [0.06315788791780613, 0.789473660930041, -0.6105263465989662], [-0.4421052781663775, -0.5263158147354866, -0.7263157620324312]], [[0.7826086921311057, 0.13043478796071953, -0.6086956555541386], [-0.5652173972197426, -0.26086955324575906, -0.7826086953704884], [-0.2608695629639075, 0.9565217416656039, -0.13043476852442254]]]  # noqa: E501
SC_RV = [[0.7027530720010928, -0.4685020363653548, 1.1712550734603264], [0.40198233641094805, 0.8039646728218961, 1.2059470092328441], [0.28599993313619504, 2.573999291682479, -0.8579998207172403], [1.7162430008252636, -0.3432486052798554, -0.6864972105597108]]  # noqa: E501
SC_RVD = [[40.26478506551588, -26.843189377019446, 67.1079724425619], [23.031891315155363, 46.063782630310726, 69.09567394546609], [16.38658910972772, 147.4792958830694, -49.159768550079164], [98.33348056615506, -19.66669640628762, -39.33339281257524]]  # noqa: E501
SC_MRP = [[0.18374046070574937, -0.12249363742833724, 0.3062340890075996], [0.10551611250369007, 0.21103222500738014, 0.31654833751107025], [0.08512961051140579, 0.7661664628894014, -0.2553888378768675], [0.4637216593064708, -0.09274433324329238, -0.18548866648658477]]  # noqa: E501
SC_MAG = [1.4440202510325162, 1.5040801783846713, 2.728265384394749, 1.8800500160938634]
SC_EU = {
    'xyz': [[0.34613598617801944, -0.7297276822701921, 1.1071487198494228], [0.7853981633974483, 0.33983690945412204, 1.4288992721907325], [-2.514521950243707, 0.4579444371996466, 3.0711213160501085], [1.7063240259699128, 0.2639228457954761, -0.6254850473422164]],  # noqa: E501
    'ZXY': [[1.343107031801919, 0.2556492110945836, -0.760193448314501], [1.1071487177940904, 0.7297276562269666, 0.4636476090008061], [-0.38050640485935605, -0.5542618641619881, 2.5948037808428897], [-2.67794500981961, 1.2748334139895054, 2.034443896059272]],  # noqa: E501
    'zxz': [[1.2082520861226396, 0.7937880714447012, 0.03224690195236701], [-0.46364760900080604, 0.8410686705679302, 1.7506498265873747], [-2.4429328357877242, 2.3837430123563395, 0.47734536636820346], [-0.2662520462853175, 1.7016038086669703, -0.6610431717162948]],  # noqa: E501
    'YXY': [[-1.308676476433266, 1.350631185924927, 0.7520771415538038], [-0.7853981633974483, 1.2309594173407747, 1.7126933813990606], [2.6011731520044004, 0.660845333752384, 0.10308159230673075], [0.13552771912383177, 1.8347191625236545, -0.6254850453775607]],  # noqa: E501
}
SC_APP = [[2.2298850613889956, -0.12643675918559533, 0.5114942413369266], [1.5333333333333328, 0.7333333333333334, 2.666666666666666], [-1.4736841680105366, 2.3157894442946603, -1.210526423771297], [0.39130434606555287, -0.2826086986098713, -0.13043478148195375]]  # noqa: E501
SC_APPI = [[-0.6666666364076028, -1.2528735132328592, 1.7988506207410682], [-0.06666666666666654, 2.333333333333333, 2.133333333333333], [-1.221052616339312, 2.736842116160405, 0.1368420233026416], [0.39130434606555287, 0.06521739398035976, -0.3043478277770693]]  # noqa: E501
SC_MUL = [[-0.8852164706139208, -0.25291899210872554, -0.20549668469518617, -0.33195616602772593], [-0.5057563367703485, 0.8616589485208841, 0.01873170428805078, -0.03746341555420979], [0.7305369389540951, 0.6368783435458942, -0.2435123176367705, -0.03746341555420979], [-0.6006826002222759, 0.7271421062874781, 0.01580743148611173, -0.33195616602772593]]  # noqa: E501

# ---- JAX 0.10.2, float32 ----
J_QUAT = [[0.32163378596305847, -0.21442250907421112, 0.5360562801361084, 0.7504788041114807], [0.18257418274879456, 0.3651483654975891, 0.547722578048706, 0.7302967309951782], [0.10259783267974854, 0.9233804941177368, -0.3077934980392456, 0.20519566535949707], [-0.7372097969055176, 0.14744196832180023, 0.29488393664360046, -0.5897678732872009]]  # noqa: E501
J_CANON_SF = [[0.7504788041114807, 0.32163378596305847, -0.21442250907421112, 0.5360562801361084], [0.7302967309951782, 0.18257418274879456, 0.3651483654975891, 0.547722578048706], [0.20519566535949707, 0.10259783267974854, 0.9233804941177368, -0.3077934980392456], [0.5897678732872009, 0.7372097969055176, -0.14744196832180023, -0.29488393664360046]]  # noqa: E501
J_EU_XYZ = [[0.34613609313964844, -0.7297277450561523, 1.1071488857269287], [0.7853982448577881, 0.33983683586120605, 1.4288990497589111], [-2.514521837234497, 0.4579441547393799, 3.0711214542388916], [1.7063238620758057, 0.26392292976379395, -0.6254851818084717]]  # noqa: E501
J_EUD_zxz = [[69.22775268554688, 45.4807014465332, 1.847607135772705], [-26.565052032470703, 48.18968963623047, 100.30484008789062], [-139.96974182128906, 136.5784149169922, 27.34988021850586], [-15.255118370056152, 97.49470520019531, -37.874996185302734]]  # noqa: E501
J_MUL = [[-0.8852165341377258, -0.2529190182685852, -0.2054966688156128, -0.3319562077522278], [-0.5057563781738281, 0.8616589903831482, 0.018731722608208656, -0.037463415414094925], [0.7305369973182678, 0.6368783712387085, -0.2435123324394226, -0.037463415414094925], [-0.6006826162338257, 0.7271420955657959, 0.015807440504431725, -0.3319561779499054]]  # noqa: E501
J_MEAN_W = [-0.10291983187198639, -0.9257826805114746, 0.2982449233531952, -0.20828792452812195]
SC_MEAN_W = [-0.10291983658491707, -0.9257827327428703, 0.2982447177170782, -0.20828808738460552]
J_SLERP = [[0.32163378596305847, -0.21442250907421112, 0.5360562801361084, 0.7504788041114807], [0.29626891016960144, -0.06851722300052643, 0.5582791566848755, 0.7719162106513977], [0.18257416784763336, 0.3651483654975891, 0.547722578048706, 0.730296790599823], [0.17707477509975433, 0.7674450874328613, 0.17697125673294067, 0.5902149081230164], [0.10259774327278137, 0.9233804941177368, -0.30779361724853516, 0.2051956206560135], [0.7330613732337952, -0.05641835182905197, -0.31871411204338074, 0.5982134342193604], [0.7372097969055176, -0.14744199812412262, -0.2948839068412781, 0.5897678732872009]]  # noqa: E501
SC_SLERP = [[0.3216337747743993, -0.21442251119102562, 0.5360562699897031, 0.750478765205007], [0.2962688874445171, -0.06851721970744809, 0.5582791465656477, 0.7719161427550804], [0.1825741858350553, 0.3651483716701107, 0.5477225575051661, 0.7302967433402215], [0.17707484436863172, 0.7674450647352077, 0.17697133042729912, 0.5902149780479903], [0.10259783858802751, 0.9233805090715748, -0.3077935234082171, 0.20519567717605502], [0.7330613078761805, -0.05641818821610656, -0.318714159260726, 0.598213500031556], [0.7372097757594658, -0.1474419573489496, -0.294883914697899, 0.589767829395798]]  # noqa: E501
J_SLERP1 = [0.1876947283744812, 0.5607039332389832, 0.4042432904243469, 0.6978318691253662]
SLERP_T = [0., 0.25, 1., 1.7, 2.5, 3.9, 4.]


def close(a, b, atol=2e-6, rtol=1e-6):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b, dtype=np.float64), atol=atol, rtol=rtol)


def same_rotation(qa, qb, atol=2e-6):
    """Quaternions equal up to the overall sign (q and -q are one rotation)."""
    qa, qb = np.asarray(qa, np.float64), np.asarray(qb, np.float64)
    sign = np.where(np.sum(qa * qb, axis=-1, keepdims=True) < 0, -1., 1.)
    np.testing.assert_allclose(qa * sign, qb, atol=atol)


@pytest.fixture(scope="module")
def r4():
    return Rotation.from_quat(jnp.asarray(Q))


# ---------------------------------------------------------------------- representations

def test_docstring_example_z90():
    r = Rotation.from_euler('z', 90, degrees=True)
    assert r.single and r.quat.shape == (4,)
    rv = r.as_rotvec()
    assert rv.dtype == jnp.float32
    np.testing.assert_array_equal(np.asarray(rv), np.array([0., 0., 1.5707964], F32))
    m = r.as_matrix()
    assert m.dtype == jnp.float32 and m.shape == (3, 3)
    np.testing.assert_array_equal(np.asarray(m), np.array(
        [[0., -0.99999994, 0.], [0.99999994, 0., 0.], [0., 0., 0.99999994]], F32))
    r3 = r * Rotation.from_euler('x', 90, degrees=True)
    close(r3.as_matrix(), [[0., 0., 1.], [1., 0., 0.], [0., 1., 0.]], atol=1e-7)


def test_from_quat_normalizes_and_as_quat_options(r4):
    assert r4.quat.dtype == jnp.float32
    close(r4.quat, J_QUAT)
    close(r4.as_quat(), J_QUAT)
    close(r4.as_quat(canonical=True, scalar_first=True), J_CANON_SF)
    close(r4.as_quat(scalar_first=True)[3], [-0.5897678732872009, -0.7372097969055176,
                                              0.14744196832180023, 0.29488393664360046])
    # canonical sign with w == 0: first nonzero of x, y, z made positive (JAX 0.10.2)
    r = Rotation.from_quat(jnp.array([[0., -1, 0, 0], [0, 0, -1., 0], [-1., 0, 0, 0],
                                      [0., 1, -1, 0]]))
    c = np.asarray(r.as_quat(canonical=True))
    np.testing.assert_allclose(c, [[0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 0],
                                   [0, 0.70710677, -0.70710677, 0]], atol=1e-7)
    # integer quaternions come out float32
    ri = Rotation.from_quat(jnp.array([0, 0, 0, 2]))
    assert ri.quat.dtype == jnp.float32
    np.testing.assert_array_equal(np.asarray(ri.quat), [0, 0, 0, 1])


def test_as_matrix_rotvec_mrp_magnitude_vs_scipy(r4):
    for out, ref in [(r4.as_matrix(), SC_MAT), (r4.as_rotvec(), SC_RV), (r4.as_mrp(), SC_MRP),
                     (r4.magnitude(), SC_MAG)]:
        assert out.dtype == jnp.float32
        close(out, ref, atol=1e-6, rtol=1e-6)
    close(r4.as_rotvec(degrees=True), SC_RVD, atol=5e-5, rtol=1e-6)
    assert r4.as_matrix().shape == (4, 3, 3) and r4.magnitude().shape == (4,)


def test_as_euler_vs_scipy_and_jax(r4):
    for seq, ref in SC_EU.items():
        out = r4.as_euler(seq)
        assert out.dtype == jnp.float32 and out.shape == (4, 3)
        close(out, ref, atol=2e-6)
    close(r4.as_euler('xyz'), J_EU_XYZ, atol=5e-7)
    close(r4.as_euler('zxz', degrees=True), J_EUD_zxz, atol=4e-5)


def test_as_euler_gimbal_lock_jax():
    # middle angle at +-pi/2 (asymmetric seq) or 0 / pi (symmetric): JAX puts everything in
    # one outer angle; the figures are JAX 0.10.2's
    g = Rotation.from_euler('xyz', jnp.array([[0.4, np.pi / 2, 0.2], [0.4, -np.pi / 2, 0.2]]))
    close(g.as_euler('xyz'), [[0.20000005, 1.5707963, 0.], [0.5999999, -1.5707964, 0.]],
          atol=1e-6)
    close(g.as_euler('XYZ'), [[1.5707963, 1.3707964, -1.5707964],
                              [1.5707963, -0.97079635, 1.5707963]], atol=1e-6)
    g2 = Rotation.from_euler('zxz', jnp.array([[0.4, 0., 0.2], [0.4, np.pi, 0.2]]))
    close(g2.as_euler('zxz'), [[0.5999999, 0., 0.], [-2.7415926, 3.1415923, -2.9415925]],
          atol=1e-6)
    close(g2.as_euler('ZXZ'), [[0.5999999, 0., 0.], [-2.9415925, 3.1415923, -2.7415926]],
          atol=1e-6)


def test_from_euler_vs_scipy():
    ea = jnp.array([[0.3, -1.2, 2.0], [-2.5, 0.4, 0.9]])
    ref = {
        'xyz': [[0.5364341138911902, -0.19786775626458644, 0.7322877628656068, 0.3699208359120593], [-0.8647254979960171, -0.3481391683693493, 0.3041854234153205, 0.19626553631312912]],  # noqa: E501
        'ZYX': [[0.7322877628656068, -0.19786775626458644, 0.5364341138911902, 0.3699208359120593], [0.3041854234153205, -0.3481391683693493, -0.8647254979960171, 0.19626553631312912]],  # noqa: E501
        'xzx': [[0.7533365879022981, 0.4242048261716391, -0.3726545158915328, 0.3371392332050068], [-0.7030567291014659, -0.19701338426560316, -0.02559744945831998, 0.682818960388909]],  # noqa: E501
    }
    for seq, q in ref.items():
        r = Rotation.from_euler(seq, ea)
        assert r.quat.dtype == jnp.float32 and r.quat.shape == (2, 4)
        same_rotation(r.quat, q)
        same_rotation(Rotation.from_euler(seq, ea * (180 / np.pi), degrees=True).quat, q)
    # one axis, several rotations as an (N, 1) array; integer angles give float32
    r = Rotation.from_euler('z', np.array([[10], [20]]), degrees=True)
    close(r.quat, [[0., 0., 0.08715574, 0.9961947], [0., 0., 0.17364818, 0.9848077]])
    assert r.quat.dtype == jnp.float32


def test_from_matrix_all_branches_vs_scipy():
    m4 = [[[0.9523809523809522, 0.19047619047619044, 0.23809523809523805], [0.23809523809523805, -0.9523809523809522, -0.19047619047619044], [0.19047619047619044, 0.23809523809523805, -0.9523809523809522]], [[-0.9523809523809522, 0.19047619047619044, 0.23809523809523805], [0.23809523809523805, 0.9523809523809522, 0.19047619047619044], [-0.19047619047619044, 0.23809523809523805, -0.9523809523809522]], [[-0.9523809523809522, -0.19047619047619044, 0.23809523809523805], [0.23809523809523805, -0.9523809523809522, 0.19047619047619044], [0.19047619047619044, 0.23809523809523805, 0.9523809523809521]], [[0.9523809523809522, -0.19047619047619044, 0.23809523809523805], [0.23809523809523805, 0.9523809523809522, -0.19047619047619044], [-0.19047619047619044, 0.23809523809523805, 0.9523809523809522]]]  # noqa: E501
    sc = [[0.9819805060619659, 0.1091089451179962, 0.1091089451179962, 0.1091089451179962], [0.1091089451179962, 0.9819805060619659, 0.1091089451179962, 0.1091089451179962], [0.10910894511799618, 0.10910894511799618, 0.9819805060619657, 0.10910894511799618], [0.10910894511799618, 0.10910894511799618, 0.10910894511799618, 0.9819805060619657]]  # noqa: E501
    q = Rotation.from_matrix(jnp.asarray(np.array(m4, F32))).quat
    assert q.dtype == jnp.float32
    close(q, sc, atol=1e-6)  # scipy and JAX pick the same sign here
    # integer identity matrix -> float32 identity quaternion (JAX 0.10.2)
    qi = Rotation.from_matrix(jnp.eye(3, dtype=jnp.int32)).quat
    assert qi.dtype == jnp.float32
    np.testing.assert_array_equal(np.asarray(qi), [0, 0, 0, 1])
    np.testing.assert_array_equal(
        np.asarray(Rotation.from_matrix(jnp.asarray(np.diag([1., -1, -1]).astype(F32))).quat),
        [1, 0, 0, 0])


def test_from_rotvec_and_mrp_vs_scipy():
    rv = jnp.array([[1e-4, -2e-4, 5e-5], [0.5, -1., 2.]])  # small-angle series and general
    close(Rotation.from_rotvec(rv).quat,
          [[4.9999999890625e-05, -9.999999978125e-05, 2.49999999453125e-05, 0.9999999934375],
           [0.19879123533728862, -0.39758247067457725, 0.7951649413491545, 0.4124596220414424]],
          atol=1e-7)
    close(Rotation.from_rotvec(rv * (180 / np.pi), degrees=True).quat,
          Rotation.from_rotvec(rv).quat, atol=1e-6)
    q = Rotation.from_mrp(jnp.array([[0.2, -0.3, 0.4], [1.5, 0., 0.5]])).quat
    close(q, [[0.31007751937984496, -0.46511627906976744, 0.6201550387596899, 0.5503875968992248],
              [0.8571428571428571, 0.0, 0.2857142857142857, -0.42857142857142855]], atol=1e-6)
    # JAX 0.10.2 on integer input
    close(Rotation.from_rotvec(jnp.array([1, 2, 3])).quat,
          [0.25532186, 0.5106437, 0.7659656, -0.29555118])
    close(Rotation.from_mrp(jnp.array([1, 0, 0])).quat, [1., 0., 0., 0.])
    np.testing.assert_array_equal(np.asarray(Rotation.identity().as_rotvec()), [0, 0, 0])
    close(Rotation.from_quat(jnp.array([1., 0, 0, 0])).as_rotvec(), [np.pi, 0, 0])


def test_round_trips():
    rng = np.random.default_rng(3)
    q = rng.normal(size=(16, 4)).astype(F32)
    r = Rotation.from_quat(jnp.asarray(q))
    same_rotation(Rotation.from_matrix(r.as_matrix()).quat, r.quat, atol=3e-6)
    same_rotation(Rotation.from_rotvec(r.as_rotvec()).quat, r.quat, atol=3e-6)
    same_rotation(Rotation.from_rotvec(r.as_rotvec(degrees=True), degrees=True).quat, r.quat,
                  atol=3e-6)
    same_rotation(Rotation.from_mrp(r.as_mrp()).quat, r.quat, atol=3e-6)
    for seq in ['xyz', 'xzy', 'yxz', 'yzx', 'zxy', 'zyx', 'xyx', 'xzx', 'yxy', 'yzy', 'zxz', 'zyz']:
        for s in (seq, seq.upper()):
            same_rotation(Rotation.from_euler(s, r.as_euler(s)).quat, r.quat, atol=5e-6)
            same_rotation(Rotation.from_euler(s, r.as_euler(s, degrees=True), degrees=True).quat,
                          r.quat, atol=5e-6)
    # rotvec <- quat <- rotvec reproduces the vector for angles below pi
    rv = (rng.normal(size=(8, 3)) * 0.8).astype(F32)
    close(Rotation.from_rotvec(jnp.asarray(rv)).as_rotvec(), rv, atol=3e-6)
    close(r.as_quat(canonical=True), np.where(q[:, 3:] < 0, -q, q) / np.linalg.norm(
        q, axis=1, keepdims=True), atol=2e-7)


# ---------------------------------------------------------------------- operations

def test_apply_vs_scipy_and_broadcasting(r4):
    v = jnp.asarray(V)
    out = r4.apply(v)
    assert out.dtype == jnp.float32 and out.shape == (4, 3)
    close(out, SC_APP, atol=2e-6)
    close(r4.apply(v, inverse=True), SC_APPI, atol=2e-6)
    close(r4.apply(r4.apply(v), inverse=True), V, atol=2e-6)
    # one vector against N rotations, one rotation against N vectors
    close(r4.apply(v[0]), np.einsum('nij,j->ni', np.array(SC_MAT), V[0]), atol=2e-6)
    close(r4[0].apply(v), V @ np.array(SC_MAT[0]).T, atol=2e-6)
    # integer vectors come out float32 (JAX 0.10.2 value)
    o = Rotation.from_euler('x', 90, degrees=True).apply(jnp.array([1, 2, 3]))
    assert o.dtype == jnp.float32
    np.testing.assert_array_equal(np.asarray(o), np.array([0.99999994, -2.9999998, 1.9999999],
                                                          F32))


def test_mul_inv_vs_scipy(r4):
    prod = r4 * r4[::-1]
    close(prod.quat, J_MUL, atol=2e-7)
    close(prod.quat, SC_MUL, atol=1e-6)
    close(prod.as_matrix(), np.array(SC_MAT) @ np.array(SC_MAT)[::-1], atol=2e-6)
    close((r4[0] * r4).as_matrix(), np.array(SC_MAT[0]) @ np.array(SC_MAT), atol=2e-6)
    ident = (r4 * r4.inv()).as_matrix()
    close(ident, np.broadcast_to(np.eye(3), (4, 3, 3)), atol=1e-6)
    close(r4.inv().quat, np.array(J_QUAT) * [-1, -1, -1, 1], atol=1e-7)
    close(r4.inv().magnitude(), SC_MAG, atol=1e-6)


def test_indexing_len_single_concatenate_identity(r4):
    assert not r4.single and len(r4) == 4
    assert r4[1].single
    close(r4[1].quat, J_QUAT[1])
    assert len(r4[jnp.array([3, 0, 3])]) == 3
    close(r4[jnp.array([3, 0])].quat, [J_QUAT[3], J_QUAT[0]])
    assert len(r4[:1]) == 1
    cat = Rotation.concatenate([r4, r4[:2]])
    assert len(cat) == 6
    close(cat.quat[4:], J_QUAT[:2])
    # JAX concatenates the raw arrays: two single rotations give one 8-vector (single)
    c1 = Rotation.concatenate([r4[0], r4[1]])
    assert c1.quat.shape == (8,) and c1.single
    i = Rotation.identity()
    assert i.quat.dtype == jnp.float32
    np.testing.assert_array_equal(np.asarray(i.quat), [0, 0, 0, 1])
    assert Rotation.identity(dtype=jnp.float16).quat.dtype == jnp.float16


def test_mean_jax_and_scipy(r4):
    w = jnp.array([1., 0.5, 2., 0.3])
    m = r4.mean(w)
    assert m.single and m.quat.dtype == jnp.float32
    same_rotation(m.quat, J_MEAN_W, atol=1e-6)
    same_rotation(m.quat, SC_MEAN_W, atol=1e-6)
    # default weights (all ones): JAX 0.10.2 / scipy figures
    mu = r4.mean()
    same_rotation(mu.quat, [0.4578606188297272, 0.0995064377784729, 0.32252052426338196,
                            0.8224611282348633], atol=1e-6)
    same_rotation(mu.quat, [0.4578606027118465, 0.09950631976740221, 0.32252060012340655,
                            0.822461320249609], atol=1e-6)
    # all-equal weights: mean of one repeated rotation is that rotation
    same_rotation(Rotation(jnp.stack([r4.quat[2]] * 3)).mean().quat, J_QUAT[2], atol=1e-6)


def test_slerp_vs_jax_and_scipy(r4):
    s = Slerp.init(jnp.array([0., 1., 2.5, 4.]), r4)
    out = s(jnp.array(SLERP_T))
    assert isinstance(out, Rotation) and out.quat.dtype == jnp.float32
    close(out.quat, J_SLERP, atol=2e-7)
    same_rotation(out.quat, SC_SLERP, atol=1e-6)
    one = s(1.3)
    assert one.single
    close(one.quat, J_SLERP1, atol=2e-7)
    # end points are the key rotations
    same_rotation(s(jnp.array([0., 1., 2.5, 4.])).quat, J_QUAT, atol=1e-6)


def test_slerp_docstring_example():
    rots = jnp.array([[90, 0, 0], [0, 45, 0], [0, 0, -30]])
    slerp = Slerp.init([0, 1, 2], Rotation.from_euler('zxy', rots, degrees=True))
    e = slerp([0, 0.5, 1, 1.5, 2]).as_euler('zxy')
    close(e, [[1.5707963e+00, 0.0000000e+00, 0.0000000e+00],
              [8.5309029e-01, 3.8711953e-01, 1.7768645e-01],
              [-2.3841858e-07, 7.8539824e-01, 0.0000000e+00],
              [-5.6668043e-02, 3.9213133e-01, -2.8347540e-01],
              [0.0000000e+00, 0.0000000e+00, -5.2359891e-01]], atol=3e-7)


def test_float16_preserved():
    q16 = jnp.array([0.1, 0.2, 0.3, 0.9], dtype=jnp.float16)
    r = Rotation.from_quat(q16)
    for a in (r.quat, r.as_matrix(), r.as_euler('xyz'), r.as_mrp(), r.as_rotvec(),
              r.magnitude(), r.inv().quat,
              Rotation.from_euler('xyz', jnp.array([1, 2, 3.], dtype=jnp.float16)).quat,
              Rotation.from_rotvec(jnp.array([1, 0, 0.], dtype=jnp.float16)).quat,
              Rotation.from_mrp(jnp.array([1, 0, 0.], dtype=jnp.float16)).quat):
        assert a.dtype == jnp.float16
    assert r.apply(jnp.ones(3)).dtype == jnp.float32  # promotes with the float32 vector


# ---------------------------------------------------------------------- transformations

def test_pytree_jit_vmap():
    q = jnp.array([0.3, -0.2, 0.5, 0.7])
    v = jnp.array([1., -2., 0.5])
    leaves, treedef = jax.tree_util.tree_flatten(Rotation.from_quat(q))
    assert len(leaves) == 1 and treedef.num_leaves == 1
    # tree_map over two single rotations (a single Rotation has no len())
    s = jax.tree_util.tree_map(lambda a, b: a + b, Rotation.from_quat(q), Rotation.from_quat(q))
    assert isinstance(s, Rotation)
    close(s.quat, [0.6432676, -0.42884502, 1.0721126, 1.5009576])
    ret = jax.jit(lambda q: Rotation.from_quat(q))(q)
    assert isinstance(ret, Rotation)
    close(ret.quat, [0.3216338, -0.21442251, 0.5360563, 0.7504788], atol=1e-7)
    out = jax.jit(lambda r, v: (r * r).inv().apply(v))(Rotation.from_quat(q), v)
    close(out, [0.14176258, 0.8096182, 2.1387897], atol=1e-6)
    qs = jnp.array([[0.3, -0.2, 0.5, 0.7], [0., 0., 1., 0.], [1., 2., 3., 4.]])
    e = jax.vmap(lambda r: r.as_euler('xyz'))(Rotation.from_quat(qs))
    close(e, [[0.3461361, -0.72972775, 1.1071489], [0., 0., -3.1415927],
              [0.78539824, 0.33983684, 1.428899]], atol=1e-6)
    a = jax.vmap(lambda r, v: r.apply(v), in_axes=(0, None))(Rotation.from_quat(qs), v)
    close(a, [[2.229885, -0.12643677, 0.5114943], [-1., 2., 0.5],
              [1.8333334, 0.33333343, -1.3333333]], atol=1e-6)
    sl = Slerp.init(jnp.array([0., 1., 2.]), Rotation.from_quat(qs))
    js = jax.jit(lambda s, t: s(t).quat)(sl, jnp.array([0.5, 1.5]))
    close(js, [[0.18350296, -0.12233531, 0.8763721, 0.42817354],
               [0.10377143, 0.20754287, 0.87969387, 0.41508573]], atol=1e-6)


def test_grad_vs_jax():
    q = jnp.array([0.3, -0.2, 0.5, 0.7])
    v = jnp.array([1., -2., 0.5])

    def f(q):
        m = Rotation.from_quat(q).as_matrix()
        return m[0, 1] + 2 * m[2, 0]
    close(jax.grad(f)(q), [1.5695602, -2.3490553, -0.6790857, -0.8587661], atol=2e-6)
    close(jax.jit(jax.grad(f))(q), [1.5695602, -2.3490553, -0.6790857, -0.8587661], atol=2e-6)
    gv = jax.grad(lambda v: jnp.sum(Rotation.from_quat(q).apply(v) ** 3))(v)
    close(gv, [5.5276136, -13.850907, 0.85906374], atol=1e-5)
    close(jax.grad(lambda q: Rotation.from_quat(q).as_rotvec()[1])(q),
          [0.11578657, 2.2653189, 0.1929776, 0.45977014], atol=2e-6)
    close(jax.grad(lambda q: jnp.sum(Rotation.from_quat(q).as_euler('ZXY')
                                     * jnp.array([1., 2., 3.])))(q),
          [-0.28876698, 7.516907, 0.887679, 1.6373886], atol=2e-6)
    close(jax.grad(lambda a: Rotation.from_euler('xyz', a).apply(v)[2])(jnp.array([.1, .2, .3])),
          [-1.9992626e+00, -1.0392374e+00, -2.0489097e-08], atol=2e-6)


# ---------------------------------------------------------------------- errors (JAX 0.10.2)

def test_errors_match_jax():
    one = Rotation.from_quat(jnp.array([0., 0., 0., 1.]))
    two = Rotation.from_quat(jnp.array([[0., 0., 0., 1.]] * 2))
    cases = [
        (lambda: Rotation.from_euler('xyZ', jnp.ones(3)), ValueError,
         "Expected axes from `seq` to be from ['x', 'y', 'z'] or ['X', 'Y', 'Z'], got xyZ"),
        (lambda: Rotation.from_euler('xaz', jnp.ones(3)), ValueError, "got xaz"),
        (lambda: Rotation.from_euler('xxz', jnp.ones(3)), ValueError,
         "Expected consecutive axes to be different, got xxz"),
        (lambda: Rotation.from_euler('xyzx', jnp.ones(4)), ValueError,
         "Expected axis specification to be a non-empty string of upto 3 characters, got xyzx"),
        (lambda: Rotation.from_euler('', jnp.ones(1)), ValueError, "non-empty string"),
        (lambda: Rotation.from_euler('z', [10., 20.]), TypeError,
         "atleast_1d requires ndarray or scalar arguments, got <class 'list'> at position 0."),
        (lambda: Rotation.from_euler('z', jnp.array([10., 20., 30.])), ValueError,
         "inconsistent size for core dimension 'm': 1 vs 3"),
        (lambda: Rotation.from_euler('xyz', jnp.array([1., 2.])), ValueError,
         "inconsistent size for core dimension 'm': 3 vs 2"),
        (lambda: one.as_euler('xy'), ValueError, "Expected 3 axes, got xy."),
        (lambda: one.as_euler('xyX'), ValueError, "got xyX"),
        (lambda: one.as_euler('xyy'), ValueError, "Expected consecutive axes to be different"),
        (lambda: one.apply(jnp.array([1., 2.])), ValueError,
         "inconsistent size for core dimension 'm': 2 vs 3"),
        (lambda: two.apply(jnp.ones((3, 3))), ValueError,
         "Incompatible shapes for broadcasting: shapes=[(2,), (3,), ()]"),
        (lambda: two * Rotation(jnp.ones((3, 4))), ValueError,
         "Incompatible shapes for broadcasting: shapes=[(2,), (3,)]"),
        (lambda: one[0], TypeError, "Single rotation is not subscriptable."),
        (lambda: len(one), TypeError, "Single rotation has no len()."),
        (lambda: one.mean(), TypeError, "Single rotation has no len()."),
        (lambda: two.mean(jnp.ones((2, 2))), ValueError,
         "Expected `weights` to be 1 dimensional, got shape (2, 2)."),
        (lambda: two.mean(jnp.ones(3)), ValueError,
         "got 3 values and 2 rotations."),
        (lambda: Rotation.identity(3), AssertionError, ""),
        (lambda: Rotation.random(jax.random.PRNGKey(0)), NotImplementedError, ""),
        (lambda: Slerp.init([0, 1], one), ValueError,
         "`rotations` must be a sequence of at least 2 rotations."),
        (lambda: Slerp.init([0], two[:1]), ValueError, "at least 2 rotations"),
        (lambda: Slerp.init([0, 1, 2], Rotation(jnp.ones((3, 4)))[:2]), ValueError,
         "got 2 rotations and 3 timestamps."),
        (lambda: Slerp.init([[0, 1]], two), ValueError,
         "Expected times to be specified in a 1 dimensional array, got 2 dimensions."),
        (lambda: Slerp.init([0, 1], jnp.ones((2, 4))), TypeError,
         "`rotations` must be a `Rotation` instance."),
        (lambda: Slerp.init([0, 1], two)(jnp.ones((2, 2))), ValueError,
         "`times` must be at most 1-dimensional."),
    ]
    for fn, exc, msg in cases:
        with pytest.raises(exc) as info:
            fn()
        assert msg in str(info.value), (msg, str(info.value))
