"""nn.dot_product_attention and lax.conv_general_dilated_patches / conv_general_dilated_local / conv
shape helpers. Constants were printed by real JAX 0.10.2 (x64 off unless noted) from the inputs
built here; then grads (JAX values and finite differences), vmap (loop), jit (eager, cpp, triton
interpreter), dtype rules and JAX's errors. Patches and local conv are also checked against a
numpy loop."""
import numpy as np
import pytest

import jaxish as jax
import jaxish.numpy as jnp
from jaxish import lax

from breadth_helpers import enable_x64, check_jit, check_vmap, check_grads, normal, x64  # noqa: F401
from codegen_helpers import jit_matches_eager

dpa = jax.nn.dot_product_attention

# ---- attention cases (numpy inputs only; the JAX oracle script runs this same block) ----
def _qkv(B, T, N, S, K, H, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    q = rng.standard_normal((B, T, N, H) if B else (T, N, H)).astype(dtype)
    k = rng.standard_normal((B, S, K, H) if B else (S, K, H)).astype(dtype)
    v = rng.standard_normal((B, S, K, H) if B else (S, K, H)).astype(dtype)
    return q, k, v


def _bits(shape, seed):
    return np.random.default_rng(seed).random(shape) > 0.35


def _mask_with_dead_row():
    m = _bits((2, 1, 3, 4), 7)
    m[1, 0, 2, :] = False                      # a fully masked row: JAX averages all values
    return m


ATTN_CASES = {
    "plain": lambda: (_qkv(2, 3, 2, 4, 2, 2, 1), {}),
    "gqa": lambda: (_qkv(2, 3, 4, 4, 2, 2, 2), {}),
    "mqa": lambda: (_qkv(1, 3, 3, 5, 1, 2, 3), {}),
    "scale": lambda: (_qkv(2, 3, 2, 4, 2, 2, 4), {"scale": 0.7}),
    "bias_full": lambda: (_qkv(2, 3, 2, 4, 2, 2, 5), {"bias": np.random.default_rng(50).standard_normal((2, 2, 3, 4)).astype(np.float32)}),
    "bias_2d": lambda: (_qkv(2, 3, 4, 4, 2, 2, 6), {"bias": np.random.default_rng(60).standard_normal((3, 4)).astype(np.float32)}),
    "bias_heads_gqa": lambda: (_qkv(1, 3, 4, 4, 2, 2, 7), {"bias": 2 * np.random.default_rng(70).standard_normal((1, 4, 3, 4)).astype(np.float32)}),
    "mask": lambda: (_qkv(2, 3, 2, 4, 2, 2, 8), {"mask": _mask_with_dead_row()}),
    "mask_heads_gqa": lambda: (_qkv(1, 3, 4, 4, 2, 2, 9), {"mask": _bits((1, 4, 1, 4), 90)}),
    "causal": lambda: (_qkv(2, 3, 2, 4, 2, 2, 10), {"is_causal": True}),
    "causal_t_gt_s": lambda: (_qkv(1, 5, 2, 3, 1, 2, 11), {"is_causal": True}),
    "q_lengths": lambda: (_qkv(2, 3, 2, 4, 2, 2, 12), {"query_seq_lengths": np.array([2, 3], np.int32)}),
    "kv_lengths": lambda: (_qkv(2, 3, 2, 4, 2, 2, 13), {"key_value_seq_lengths": np.array([1, 0], np.int32)}),
    "lengths_causal_gqa": lambda: (_qkv(2, 4, 4, 4, 2, 2, 14), {"is_causal": True, "query_seq_lengths": np.array([3, 1], np.int32),
                                                               "key_value_seq_lengths": np.array([2, 4], np.int32)}),
    "window_int": lambda: (_qkv(1, 5, 2, 5, 2, 2, 15), {"local_window_size": 1}),
    "window_left_causal": lambda: (_qkv(1, 5, 2, 5, 2, 2, 16), {"local_window_size": (2, 0), "is_causal": True}),
    "window_right_mask_bias": lambda: (_qkv(2, 3, 2, 4, 2, 2, 17), {"local_window_size": (0, 1), "mask": _bits((2, 1, 3, 4), 170),
                                                                    "bias": np.random.default_rng(171).standard_normal((1, 1, 1, 4)).astype(np.float32)}),
    "unbatched": lambda: (_qkv(0, 3, 4, 5, 2, 2, 18), {"bias": np.random.default_rng(180).standard_normal((4, 3, 5)).astype(np.float32)}),
}
# ---- end of attention cases ----

# ---- real-JAX constants (x64 off; JAX_F64 with x64 on) ----
JAX_ATTN = {
    'plain': [[[[0.0554188, -0.2100186], [-0.6558301, -0.7019601]], [[-0.0773593, -0.0789678], [0.0136604, -0.0337065]], [[-0.1105485, -0.0564117], [-0.0344751, -0.0862062]]], [[[-0.1939322, 0.1384406], [-0.4823627, -0.1924197]], [[0.1024064, 0.0790595], [-0.4636425, -0.132633]], [[0.0920157, 0.077636], [-0.617833, -0.264065]]]],
    'gqa': [[[[0.2642166, -0.6874475], [0.2029729, -0.7718677], [-0.1759135, 0.0286478], [-0.1148848, -0.0365003]], [[0.321495, -0.6990998], [0.6659399, -0.7529691], [0.6233256, -0.2219611], [0.3786614, -0.1308573]], [[0.4754739, -0.7293603], [0.2838496, -0.7110748], [0.2669509, -0.0910922], [0.097654, -0.0732563]]], [[[1.2430097, -0.0203581], [-0.8299854, -0.4995652], [-0.6229632, -0.8020846], [0.4641347, 0.0713785]], [[-0.3008031, -0.1600594], [0.1580728, 0.0389432], [0.5340815, -0.3077714], [-0.3672251, -0.7168534]], [[1.2326818, -0.4487082], [-0.0031029, 0.2441016], [0.4998439, -0.4400106], [0.6394596, -0.3374043]]]],
    'mqa': [[[[-1.8823733, 0.9502973], [-0.8243884, 0.7547814], [-0.3952784, 0.5731945]], [[-0.1323675, 0.4331815], [-0.7865867, -0.1800487], [-0.707037, 0.6977513]], [[-0.4273496, 0.6724952], [-0.2044457, 0.5361986], [-0.862944, 0.7203997]]]],
    'scale': [[[[-0.1655173, 0.2758026], [-0.1781624, 0.6912697]], [[-0.0401001, 0.2868556], [0.6126143, 0.3141683]], [[-0.0401682, 0.286846], [-0.1005127, 0.7362844]]], [[[-1.0376662, 0.791274], [-0.2282714, 0.6417045]], [[-0.9802176, 0.6724605], [-0.5207772, 0.3484059]], [[-0.9593245, 0.4731971], [-0.4774695, 0.3107617]]]],
    'bias_full': [[[[1.057348, -0.0401647], [0.4419799, 0.1848194]], [[1.3485144, 0.35975], [0.4944351, 0.1717252]], [[1.3584288, 0.546987], [0.3214583, 0.2558726]]], [[[-0.8884811, -1.1137484], [0.8933349, -0.401479]], [[-1.0233918, -0.3965627], [-1.0459721, -0.3704339]], [[-1.0217581, -1.197803], [-0.3692995, -0.5790613]]]],
    'bias_2d': [[[[-0.9885462, 0.3582069], [-1.0152987, 0.1832281], [0.321481, -0.2593403], [0.3170831, -0.1698514]], [[-1.0861298, 0.8393941], [-1.136996, 0.8039486], [-0.216899, -0.0240313], [-0.4800955, -0.8036808]], [[-1.0861746, 0.7188929], [-1.0826176, 0.4377696], [-0.1816781, 0.7860174], [0.0572184, -0.0107459]]], [[[-1.699083, -0.9960737], [-1.3589764, -0.9459794], [-0.5000192, -0.9188217], [-0.4725869, -0.7036755]], [[-1.2726709, -0.6094585], [-1.1078832, -0.5214741], [-0.491172, -0.5056968], [-0.5850149, -1.2623518]], [[-1.3569628, -0.4356894], [-1.1456637, -0.5027324], [-0.5741552, -1.2211425], [-0.4692341, -0.392044]]]],
    'bias_heads_gqa': [[[[-0.4541586, 1.5823612], [-0.5800033, 1.8855147], [-0.8179179, 0.0056718], [-0.1370127, -0.1667772]], [[-0.0544178, 0.5042403], [0.1077166, 0.2133858], [0.7467452, -1.1334709], [0.6028021, 0.1674944]], [[-0.0678172, 0.7966791], [-0.2228435, 1.2382061], [0.0088554, 0.5137767], [-0.1179609, 0.5374956]]]],
    'mask': [[[[0.3975425, 0.511972], [0.7790477, -0.3081115]], [[0.0577431, -0.7393494], [1.3293945, -0.5195075]], [[0.2610562, 0.4069809], [0.9178059, -0.2065993]]], [[[1.841148, 0.5133425], [0.4974361, -1.0439708]], [[1.6716732, 0.7332876], [0.2277958, -0.0735963]], [[1.5184414, 0.8603153], [0.1088599, -0.726967]]]],
    'mask_heads_gqa': [[[[-0.7357759, -0.5589373], [-0.9197263, -0.8349051], [-0.3827317, -0.6304491], [-0.4142422, 0.5292013]], [[-0.754724, -0.3770642], [-0.9412185, -0.8979381], [-0.6370398, -0.4627822], [-0.418629, 0.4715683]], [[-0.5606729, -0.5872473], [-0.4755175, -0.5975336], [-0.5373808, -0.528488], [-0.308499, 0.6489249]]]],
    'causal': [[[[-1.2773002, -0.4245202], [0.2491636, -0.6651073]], [[-1.1350569, -0.7428398], [0.1888182, -0.4444252]], [[-1.2457472, -1.06749], [-0.0750522, 0.3659762]]], [[[-0.3444514, 0.5700292], [-0.4292126, -1.4031444]], [[-0.3221906, 0.4515016], [-0.1412559, -1.0604284]], [[-0.2789957, 0.3587857], [-0.1333435, -0.7818726]]]],
    'causal_t_gt_s': [[[[-0.4675975, -1.1932025], [-0.4675975, -1.1932025]], [[-0.8351554, -0.7521328], [-1.0998088, -0.4345484]], [[-0.6539724, -0.6512808], [-1.154066, -0.2186353]], [[-0.7642938, -0.3875107], [-0.1036549, -0.4291376]], [[-0.835417, -0.3707579], [-0.2614495, -0.3890228]]]],
    'q_lengths': [[[[-0.4279262, -0.4210571], [0.1514587, 0.0400184]], [[-0.2170075, -0.3032708], [0.7299002, 0.903367]], [[-0.0, -0.0], [0.0, 0.0]]], [[[0.5380978, 0.2125079], [-0.1288258, 0.5508967]], [[0.563993, -0.5818999], [-0.0181697, 0.4782431]], [[0.5087624, -0.5767795], [-0.1215529, 0.4302777]]]],
    'kv_lengths': [[[[0.348423, 1.6400039], [-0.3611506, -0.3341661]], [[0.348423, 1.6400039], [-0.3611506, -0.3341661]], [[0.348423, 1.6400039], [-0.3611506, -0.3341661]]], [[[0.7910641, -0.6511702], [-1.0131371, 0.399083]], [[0.7910641, -0.6511702], [-1.0131371, 0.399083]], [[0.7910641, -0.6511702], [-1.0131371, 0.399083]]]],
    'lengths_causal_gqa': [[[[-0.0439094, -0.0167084], [-0.0439094, -0.0167084], [-0.1877748, 0.9525678], [-0.1877748, 0.9525678]], [[0.177004, -0.1428034], [0.1445353, -0.1242706], [0.0314897, 0.6959013], [-0.0284389, 0.7660524]], [[0.2410369, -0.1793527], [0.2492909, -0.184064], [0.1157375, 0.5972825], [-0.0404185, 0.7800756]], [[0.0, -0.0], [0.0, -0.0], [0.0, -0.0], [0.0, -0.0]]], [[[-1.0324638, 0.8420941], [-1.0324638, 0.8420941], [-0.5326586, -0.7531148], [-0.5326586, -0.7531148]], [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]]],
    'window_int': [[[[-1.5810032, -1.5407897], [0.1113847, 0.6865107]], [[-0.6047038, 0.9432635], [0.0728838, 0.4013923]], [[-1.1741827, 0.7986099], [0.8377094, 0.79145]], [[0.2326072, -0.6128573], [0.5129119, 0.1581203]], [[0.4118102, -0.8216318], [0.4155554, 0.2192646]]]],
    'window_left_causal': [[[[0.514136, 0.106338], [0.2655657, 0.0709808]], [[0.9524729, 0.1549696], [0.5400738, 1.1226835]], [[0.699509, 0.0366354], [0.3531828, 1.058182]], [[-0.2442368, -1.3872731], [0.0251749, 1.0034564]], [[0.2766435, -0.7414414], [-0.971027, 0.5124671]]]],
    'window_right_mask_bias': [[[[1.0189085, -0.9079419], [-0.9399101, 0.1266714]], [[0.6436368, -1.4815265], [-0.487263, 0.3061958]], [[-0.3744659, 0.6437917], [-0.9087747, 0.7368226]]], [[[0.182166, 0.4338497], [-0.6472811, 0.4168919]], [[0.182166, 0.4338497], [-0.6472811, 0.4168919]], [[2.2283926, 0.0949153], [-1.3210738, 0.6465603]]]],
    'unbatched': [[[-0.4319917, 0.1983888], [-0.5073423, -0.5261003], [0.543991, -0.6183875], [-0.8746653, -0.7447984]], [[0.6521826, -1.2938226], [-0.3231516, -0.7434989], [0.2867253, -0.9131111], [1.2612925, -0.013985]], [[-0.2835953, 0.3525001], [0.2187696, -0.9938685], [-0.347224, -1.2707556], [0.2112647, -1.2765839]]],
}
JAX_RESIDUAL_LSE = [[[1.3557189, 1.8277843], [2.7684193, 1.0526068], [0.7313904, 0.4657246]], [[0.4645508, 1.1462233], [0.9460636, 1.782442], [-2.381976325057654e+38, -2.381976325057654e+38]]]
JAX_GRADS = [[[[[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]], [[0.0045734, -0.0056919], [0.0197502, -0.0245807], [-0.1167703, -0.0044773], [-0.0142697, -0.0005471]], [[0.0018803, -0.0023402], [-0.0068286, 0.0084988], [-0.0042015, -0.0001611], [0.1247816, 0.0047844]], [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]], [[[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]]], [[[[0.3132769, -0.0723395], [0.0458357, 0.159857]], [[-0.3132769, 0.0723396], [-0.0458357, -0.1598569]], [[0.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]]], [[[0.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]]]], [[[[1.1362447, -0.9758303], [0.0347839, -1.7766169]], [[0.3938368, 2.0186851], [-1.4133006, -2.0220475]], [[0.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]]], [[[-0.4875804, -0.8093269], [-0.4854994, 0.9862619]], [[0.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]]]], [[[[0.0, 0.0, 0.0, 0.0], [0.0286902, -0.0286902, 0.0, 0.0], [0.0117956, -0.0117956, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0, 0.0], [0.1238998, -0.1238998, 0.0, 0.0], [-0.0428384, 0.0428383, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0, 0.0], [0.0956863, -0.0956862, 0.0, 0.0], [0.0034429, -0.0034429, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0, 0.0], [0.0116932, -0.0116932, 0.0, 0.0], [-0.102251, 0.1022511, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]]]]
JAX_FLOAT16 = [[[[-0.0439148, -0.0167084], [-0.0439148, -0.0167084], [-0.1877441, 0.9526367], [-0.1877441, 0.9526367]], [[0.3442383, -0.2382812], [0.1274414, -0.1144409], [-0.0114212, 0.7460938], [-0.0449829, 0.7856445]], [[0.4736328, -0.3120117], [0.4243164, -0.2839355], [0.1479492, 0.5595703], [0.1068115, 0.6074219]], [[0.0, -0.0], [0.0, -0.0], [0.0, -0.0], [0.0, -0.0]]], [[[-1.0322266, 0.8422852], [-1.0322266, 0.8422852], [-0.5327148, -0.7529297], [-0.5327148, -0.7529297]], [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]]]  # JAX dtype: float16
JAX_BFLOAT16 = [[[[-0.0439453, -0.0167236], [-0.0439453, -0.0167236], [-0.1875, 0.953125], [-0.1875, 0.953125]], [[0.34375, -0.2382812], [0.1279297, -0.1152344], [-0.0117798, 0.7460938], [-0.045166, 0.7851562]], [[0.4746094, -0.3125], [0.4238281, -0.2851562], [0.1474609, 0.5625], [0.1064453, 0.609375]], [[0.0, -0.0], [0.0, -0.0], [0.0, -0.0], [0.0, -0.0]]], [[[-1.03125, 0.84375], [-1.03125, 0.84375], [-0.53125, -0.7539062], [-0.53125, -0.7539062]], [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]]]  # JAX dtype: bfloat16
JAX_F64 = [[[[1.018908443, -0.907941885], [-0.939910074, 0.126671414]], [[0.643636823, -1.481526494], [-0.487263024, 0.306195796]], [[-0.374465944, 0.643791701], [-0.908774741, 0.736822608]]], [[[0.182165936, 0.433849683], [-0.647281045, 0.416891919]], [[0.182165936, 0.433849683], [-0.647281045, 0.416891919]], [[2.228392601, 0.094915345], [-1.321073771, 0.646560311]]]]  # JAX dtype: float64

# ---- conv constants (real JAX) -----------------------------------------------------------------
X = np.sin(np.arange(1 * 2 * 3 * 3) * 0.9 + 0.1).reshape(1, 2, 3, 3).astype(np.float32)          # NCHW
XN = np.cos(np.arange(1 * 3 * 4 * 2) * 0.8).reshape(1, 3, 4, 2).astype(np.float32)              # NHWC
W_HWIO = np.cos(np.arange(2 * 2 * 8 * 3) * 0.37).reshape(2, 2, 8, 3).astype(np.float32)
W_OIHW = np.sin(np.arange(3 * 2 * 2 * 2) * 0.5).reshape(3, 2, 2, 2).astype(np.float32)
JAX_P1 = [[[[0.0998334, 0.841471], [0.3349881, -0.5298361]], [[0.841471, 0.9463001], [-0.5298361, -0.993691]], [[0.3349881, -0.5298361], [-0.7055403, 0.1165492]], [[-0.5298361, -0.993691], [0.1165492, 0.8504366]], [[0.9407306, 0.3190984], [-0.9954363, -0.6935251]], [[0.3190984, -0.5440211], [-0.6935251, 0.133232]], [[-0.9954363, -0.6935251], [0.8591618, 0.934895]], [[-0.6935251, 0.133232], [0.934895, 0.3031183]]]]
JAX_P2 = [[[[0.0, 0.0], [-0.0291995, 0.0], [0.087499, 0.0]]], [[[0.0, 0.0], [0.0, -0.2598174], [0.0, 0.3157437]]], [[[0.0, 0.0], [-0.7373937, 0.0], [0.7755659, 0.0]]], [[[0.0, 0.0], [0.0, -0.873737], [0.0, 0.9006402]]]]
JAX_L1 = [[[[-0.2078102, 0.1885462, 0.5593839], [-1.5101317, -1.5079813, -1.3017319]], [[1.9110487, 1.8456264, 1.5304071], [-0.3120838, -0.0455056, 0.2272318]]]]
JAX_L2 = [[[[0.8554038, 0.1280989], [-0.4724467, 0.7419775]], [[-0.3384089, -1.0420667], [1.2410176, -0.3156923]], [[-0.4130063, 1.2341815], [-1.1499196, -0.3292769]]]]


def _case(name):
    (q, k, v), kw = ATTN_CASES[name]()
    return q, k, v, kw


def _call(q, k, v, kw, **more):
    kw = dict(kw)
    kw.update(more)
    bias, mask = kw.pop("bias", None), kw.pop("mask", None)
    return dpa(q, k, v, bias, mask, **kw)


# ---- attention: values ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(ATTN_CASES))
def test_attention_matches_jax(name):
    q, k, v, kw = _case(name)
    out = _call(q, k, v, kw)
    assert out.shape == q.shape and out.dtype == np.float32
    np.testing.assert_allclose(np.asarray(out), JAX_ATTN[name], rtol=1e-5, atol=2e-6)


def test_attention_semantics_by_hand():
    """Facts the constants encode, stated directly: default scale 1/sqrt(H), 'xla' == None,
    a fully masked row (or kv length 0) averages every value, rows past the query length are 0."""
    q, k, v, kw = _case("plain")
    H = q.shape[-1]
    np.testing.assert_allclose(np.asarray(dpa(q, k, v)), np.asarray(dpa(q, k, v, scale=1 / np.sqrt(H))), rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(dpa(q, k, v, implementation="xla")), np.asarray(dpa(q, k, v)))
    q, k, v, kw = _case("mask")
    out = np.asarray(_call(q, k, v, kw))
    np.testing.assert_allclose(out[1, 2], v[1].mean(axis=0), rtol=1e-5, atol=1e-6)   # mask row [1, :, 2] is all False
    q, k, v, kw = _case("kv_lengths")
    out = np.asarray(_call(q, k, v, kw))
    np.testing.assert_allclose(out[1], np.broadcast_to(v[1].mean(axis=0), out[1].shape), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out[0], np.broadcast_to(v[0, 0], out[0].shape), rtol=1e-6)       # only key 0 visible
    q, k, v, kw = _case("q_lengths")
    out = np.asarray(_call(q, k, v, kw))
    assert np.all(out[0, 2:] == 0) and np.all(out[0, :2] != 0)


def test_attention_gqa_is_mha_with_repeated_kv():
    q, k, v, _ = _case("gqa")
    G = q.shape[2] // k.shape[2]
    want = dpa(q, np.repeat(k, G, axis=2), np.repeat(v, G, axis=2))
    np.testing.assert_allclose(np.asarray(dpa(q, k, v)), np.asarray(want), rtol=1e-6, atol=1e-6)


def test_attention_residual_matches_jax():
    q, k, v, kw = _case("mask")
    out, lse = _call(q, k, v, kw, return_residual=True)
    assert lse.shape == q.shape[:-1] and lse.dtype == np.float32
    np.testing.assert_allclose(np.asarray(out), JAX_ATTN["mask"], rtol=1e-5, atol=2e-6)
    np.testing.assert_allclose(np.asarray(lse), JAX_RESIDUAL_LSE, rtol=1e-5, atol=1e-5)
    q3, k3, v3, kw3 = _case("unbatched")
    out, lse = _call(q3, k3, v3, kw3, return_residual=True)
    assert out.shape == q3.shape and lse.shape == q3.shape[:-1]


def _grad_inputs():
    q, k, v, kw = _case("lengths_causal_gqa")
    bias = np.random.default_rng(190).standard_normal((1, 4, 4, 4)).astype(np.float32)
    w = np.random.default_rng(191).standard_normal(q.shape).astype(np.float32)
    return q, k, v, bias, w, kw


def test_attention_grads_match_jax():
    q, k, v, bias, w, kw = _grad_inputs()
    f = lambda q, k, v, b: (dpa(q, k, v, b, **kw) * w).sum()  # noqa: E731
    grads = jax.grad(f, argnums=(0, 1, 2, 3))(q, k, v, bias)
    for g, want in zip(grads, JAX_GRADS):
        assert g.dtype == np.float32
        np.testing.assert_allclose(np.asarray(g), want, rtol=1e-4, atol=2e-6)


def test_attention_grads_float64_finite_differences():
    """float64 inputs: JAX still runs the softmax in float32, so the finite-difference step is large."""
    q, k, v, bias, _, kw = _grad_inputs()
    q, k, v, bias = (a.astype(np.float64) for a in (q, k, v, bias))
    f = lambda q, k, v, b: dpa(q, k, v, b, **kw)  # noqa: E731
    check_grads(f, q, k, v, bias, eps=1e-3, rtol=2e-3, atol=2e-4)
    q, k, v, kw = _case("window_right_mask_bias")
    q, k, v = (a.astype(np.float64) for a in (q, k, v))
    check_grads(lambda q, k, v: _call(q, k, v, kw, scale=0.4), q, k, v, eps=1e-3, rtol=2e-3, atol=2e-4)


# ---- attention: dtypes ---------------------------------------------------------------------------
@pytest.mark.parametrize("dtype, want, tol", [("float16", "JAX_FLOAT16", 2e-3), ("bfloat16", "JAX_BFLOAT16", 2e-2)])
def test_attention_low_precision(dtype, want, tol):
    q, k, v, bias, _, kw = _grad_inputs()
    q, k, v, b = (jnp.asarray(a, dtype) for a in (q, k, v, bias))
    out = dpa(q, k, v, b, **kw)
    assert out.dtype == jnp.dtype(dtype)
    np.testing.assert_allclose(np.asarray(out.astype(jnp.float32)), globals()[want], rtol=tol, atol=tol)



# JAX 0.10.2: float16 q, k scaled by 200 (logits ~1e5 overflow float16, so they must be float32), causal
JAX_FLOAT16_BIG = [[[[-1.2773438, -0.4245605], [0.2491455, -0.6650391]], [[-0.996582, -1.0527344], [0.2491455, -0.6650391]], [[-1.2773438, -0.4245605], [-0.1173096, 0.6748047]]], [[[-0.3444824, 0.5698242], [-0.4291992, -1.4033203]], [[-0.3444824, 0.5698242], [-0.4291992, -1.4033203]], [[-0.3444824, 0.5698242], [-0.1248169, -0.6337891]]]]


def test_attention_float16_logits_are_float32():
    q, k, v, _ = _case("causal")
    q, k, v = (jnp.asarray(a, jnp.float16) for a in (q * 200, k * 200, v))
    out = dpa(q, k, v, is_causal=True)
    assert out.dtype == jnp.float16
    np.testing.assert_allclose(np.asarray(out.astype(jnp.float32)), JAX_FLOAT16_BIG, rtol=2e-3, atol=2e-3)


def test_attention_float64_matches_jax():
    q, k, v, kw = _case("window_right_mask_bias")
    q, k, v = (a.astype(np.float64) for a in (q, k, v))
    kw = dict(kw, bias=kw["bias"].astype(np.float64))
    out = _call(q, k, v, kw)
    assert out.dtype == np.float64
    np.testing.assert_allclose(np.asarray(out), JAX_F64, rtol=1e-6, atol=1e-7)


def test_attention_bias_dtype_does_not_change_output_dtype():
    q, k, v, _ = _case("plain")
    out = dpa(q, k, v, bias=np.ones((1, 1, 3, 4), np.float64))      # x64 on: logits stay float32
    assert out.dtype == np.float32
    np.testing.assert_allclose(np.asarray(out), np.asarray(dpa(q, k, v)), rtol=1e-6, atol=1e-7)


# ---- attention: transformations -----------------------------------------------------------------
def test_attention_vmap():
    q, k, v, kw = _case("lengths_causal_gqa")
    bias = np.random.default_rng(3).standard_normal((2, 4, 4, 4)).astype(np.float32)
    check_vmap(lambda q, k, v: dpa(q, k, v, is_causal=True), q, k, v, rtol=1e-5, atol=1e-6)   # unbatched per row
    check_vmap(lambda q, k, v, b: dpa(q, k, v, b, **kw), q[None].repeat(2, 0), k, v, np.stack([bias, -bias]),
               in_axes=(0, None, None, 0), rtol=1e-5, atol=1e-6)
    m = np.random.default_rng(4).random((3, 2, 1, 4, 4)) > 0.3
    check_vmap(lambda m: dpa(q, k, v, mask=m, local_window_size=(1, 2)), m, rtol=1e-5, atol=1e-6)
    lens = np.array([[1, 4], [3, 2], [4, 0]], np.int32)
    check_vmap(lambda l: dpa(q, k, v, key_value_seq_lengths=l, query_seq_lengths=l[::-1]), lens, rtol=1e-5, atol=1e-6)
    check_vmap(jax.grad(lambda q, k: dpa(q, k, v, is_causal=True).sum(), argnums=(0, 1)),
               np.stack([q, 2 * q]), k, in_axes=(0, None), rtol=1e-5, atol=1e-6)


def test_attention_jit_eager_backend():
    q, k, v, bias, w, kw = _grad_inputs()
    check_jit(lambda q, k, v, b: dpa(q, k, v, b, **kw), q, k, v, bias, rtol=1e-6, atol=1e-6)
    lens = np.array([2, 3], np.int32)
    check_jit(lambda q, k, v, l: dpa(q, k, v, query_seq_lengths=l, key_value_seq_lengths=l, is_causal=True), q, k, v, lens)


@pytest.mark.parametrize("backend", ["cpp", "triton"])
def test_attention_jit_backends(backend):
    q, k, v, bias, w, kw = _grad_inputs()
    mask = np.random.default_rng(5).random((2, 1, 4, 4)) > 0.3
    f = lambda q, k, v, b, m: dpa(q, k, v, b, m, local_window_size=1, **kw)  # noqa: E731
    jit_matches_eager(backend, f, q, k, v, bias, mask, rtol=1e-5, atol=1e-6)
    g = jax.grad(lambda q, k, v, b: (dpa(q, k, v, b, **kw) * w).sum(), argnums=(0, 1, 2, 3))
    jit_matches_eager(backend, g, q, k, v, bias, rtol=1e-4, atol=1e-5)


# ---- attention: errors as JAX raises them --------------------------------------------------------
def test_attention_errors():
    q, k, v, _ = _case("gqa")
    with pytest.raises(ValueError, match=r"value shape should be \[2, 4, 2, 2\]: but got \(2, 4, 2, 3\)"):
        dpa(q, k, np.zeros((2, 4, 2, 3), np.float32))
    with pytest.raises(ValueError, match="query dtype should be float32, but got float16"):
        dpa(q.astype(np.float16), k, v)
    with pytest.raises(ValueError, match=r"query shape should be \[2, -1, -1, 2\]"):
        dpa(np.zeros((2, 3, 4, 3), np.float32), k, v)
    with pytest.raises(ValueError, match="query ndim should be 4, but got 5"):
        dpa(q[None], k, v)
    with pytest.raises(ValueError, match="multiple of key/value heads, but got 3 vs 2"):
        dpa(q[:, :, :3], k, v)
    with pytest.raises(ValueError, match="mask dtype should be bool, but got float32"):
        dpa(q, k, v, mask=np.ones((1, 1, 3, 4), np.float32))
    with pytest.raises(ValueError, match="query_seq_lengths dtype should be int32, but got int64"):
        dpa(q, k, v, query_seq_lengths=np.array([1, 2]))
    with pytest.raises(ValueError, match=r"key_value_seq_lengths shape should be \[2\]"):
        dpa(q, k, v, key_value_seq_lengths=np.array([1, 2, 3], np.int32))
    with pytest.raises(TypeError, match=r"bias of shape \(2, 3, 3, 4\)"):       # JAX: an AssertionError
        dpa(q, k, v, bias=np.zeros((2, 3, 3, 4), np.float32))
    with pytest.raises(TypeError, match=r"mask of shape \(1, 1, 2, 4\)"):
        dpa(q, k, v, mask=np.ones((1, 1, 2, 4), bool))
    with pytest.raises(ValueError, match="Unsupported implementation option: flash"):
        dpa(q, k, v, implementation="flash")
    with pytest.raises(RuntimeError, match="cuDNN is not detected"):
        dpa(q, k, v, implementation="cudnn")
    with pytest.raises(ValueError, match="cuDNN doesn't support right window: 2"):
        dpa(q, k, v, implementation="cudnn", local_window_size=(1, 2))


# ---- conv_general_dilated_patches / conv_general_dilated_local -----------------------------------
def _np_patches(x, fs, strides, pads, lhs_dil, rhs_dil):
    """im2col by loops on an (N, C, H, W) array: channel c * fh * fw + i * fw + j."""
    n, c, h, w = x.shape
    xd = np.zeros((n, c, (h - 1) * lhs_dil[0] + 1, (w - 1) * lhs_dil[1] + 1), x.dtype)
    xd[:, :, ::lhs_dil[0], ::lhs_dil[1]] = x
    xp = np.pad(xd, ((0, 0), (0, 0)) + tuple(pads))
    kh, kw = (fs[0] - 1) * rhs_dil[0] + 1, (fs[1] - 1) * rhs_dil[1] + 1
    oh, ow = (xp.shape[2] - kh) // strides[0] + 1, (xp.shape[3] - kw) // strides[1] + 1
    out = np.zeros((n, c * fs[0] * fs[1], oh, ow), x.dtype)
    for ci in range(c):
        for i in range(fs[0]):
            for j in range(fs[1]):
                for a in range(oh):
                    for b in range(ow):
                        out[:, ci * fs[0] * fs[1] + i * fs[1] + j, a, b] = \
                            xp[:, ci, a * strides[0] + i * rhs_dil[0], b * strides[1] + j * rhs_dil[1]]
    return out


def _np_local(x, w_oihw, fs, strides, pads, lhs_dil, rhs_dil):
    p = _np_patches(x, fs, strides, pads, lhs_dil, rhs_dil)
    return np.einsum("nfhw,ofhw->nohw", p, w_oihw)


PATCH_CONFIGS = [
    ((2, 3), (1, 1), ((0, 1), (1, 1)), (1, 1), (1, 1)),
    ((2, 2), (2, 1), ((1, 0), (2, 0)), (1, 2), (2, 1)),
    ((3, 1), (1, 3), ((2, 2), (0, 0)), (2, 1), (1, 1)),
]


def test_patches_match_jax():
    p = lax.conv_general_dilated_patches(X, (2, 2), (1, 1), "VALID")
    assert p.shape == (1, 8, 2, 2) and p.dtype == np.float32
    np.testing.assert_allclose(np.asarray(p), JAX_P1, rtol=1e-6, atol=1e-7)
    p = lax.conv_general_dilated_patches(XN, (1, 2), (2, 3), ((1, 0), (0, 1)), lhs_dilation=(1, 2),
                                         rhs_dilation=(2, 1), dimension_numbers=("NHWC", "WHIO", "CNWH"))
    np.testing.assert_allclose(np.asarray(p), JAX_P2, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("cfg", PATCH_CONFIGS)
def test_patches_match_numpy_loop(cfg):
    fs, strides, pads, ld, rd = cfg
    x = normal((2, 3, 5, 4), 1).astype(np.float32)
    want = _np_patches(x, fs, strides, pads, ld, rd)
    got = lax.conv_general_dilated_patches(x, fs, strides, pads, ld, rd)
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-6)
    xn = np.transpose(x, (0, 2, 3, 1))                                        # NHWC in, NHWC out
    got = lax.conv_general_dilated_patches(xn, fs, strides, pads, ld, rd, ("NHWC", "HWIO", "NHWC"))
    np.testing.assert_allclose(np.asarray(got), np.transpose(want, (0, 2, 3, 1)), rtol=1e-6)


def test_patches_padding_strings_dtype_and_preferred_type():
    x = normal((1, 2, 5, 5), 2)
    with enable_x64(False):
        xb = jnp.asarray(x, jnp.bfloat16)
        p = lax.conv_general_dilated_patches(xb, (3, 3), (2, 2), "SAME")
        assert p.dtype == jnp.bfloat16 and p.shape == (1, 18, 3, 3)
        want = _np_patches(np.asarray(xb.astype(jnp.float32)), (3, 3), (2, 2), ((1, 1), (1, 1)), (1, 1), (1, 1))
        np.testing.assert_array_equal(np.asarray(p.astype(jnp.float32)), want)   # a copy: exact
        p = lax.conv_general_dilated_patches(xb, (3, 3), (2, 2), "SAME", preferred_element_type=jnp.float32)
        assert p.dtype == jnp.float32


def test_local_matches_jax_and_numpy_loop():
    o = lax.conv_general_dilated_local(X, W_HWIO, (1, 1), "VALID", (2, 2), dimension_numbers=("NCHW", "HWIO", "NHWC"))
    assert o.shape == (1, 2, 2, 3)
    np.testing.assert_allclose(np.asarray(o), JAX_L1, rtol=1e-5, atol=1e-6)
    o = lax.conv_general_dilated_local(X, W_OIHW, (2, 2), "SAME", (1, 1))
    np.testing.assert_allclose(np.asarray(o), JAX_L2, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(o), _np_local(X, W_OIHW, (1, 1), (2, 2), ((0, 0), (0, 0)), (1, 1), (1, 1)),
                               rtol=1e-5, atol=1e-6)
    for fs, strides, pads, ld, rd in PATCH_CONFIGS:
        x = normal((2, 3, 5, 4), 3)
        oh_ow = _np_patches(x, fs, strides, pads, ld, rd).shape[2:]
        w = normal((4, 3 * fs[0] * fs[1]) + oh_ow, 4)
        got = lax.conv_general_dilated_local(x, w, strides, pads, fs, ld, rd)
        np.testing.assert_allclose(np.asarray(got), _np_local(x, w, fs, strides, pads, ld, rd), rtol=1e-10, atol=1e-12)


def test_local_is_conv_when_weights_are_shared():
    x = normal((2, 3, 6, 5), 5)
    k = normal((4, 3, 2, 3), 6)
    ref = lax.conv_general_dilated(x, k, (1, 2), "SAME", rhs_dilation=(2, 1))
    w = np.broadcast_to(k.reshape(4, 18, 1, 1), (4, 18) + ref.shape[2:])
    got = lax.conv_general_dilated_local(x, w, (1, 2), "SAME", (2, 3), rhs_dilation=(2, 1))
    np.testing.assert_allclose(np.asarray(got), np.asarray(ref), rtol=1e-10, atol=1e-12)


def test_patches_and_local_grads():
    x = normal((1, 2, 4, 3), 7)
    check_grads(lambda x: lax.conv_general_dilated_patches(x, (2, 2), (1, 2), "SAME", rhs_dilation=(1, 2)), x)
    w = normal((3, 3, 8, 5), 8)                            # HWIO: output positions 3 x 3, I = 2 * (2 * 2)
    f = lambda x, w: lax.conv_general_dilated_local(x, w, (1, 1), ((0, 0), (0, 1)), (2, 2),  # noqa: E731
                                                    dimension_numbers=("NCHW", "HWIO", "NCHW"))
    assert f(x, w).shape == (1, 5, 3, 3)
    check_grads(f, x, w)


def test_patches_and_local_vmap():
    x = normal((3, 1, 2, 4, 3), 9)
    check_vmap(lambda x: lax.conv_general_dilated_patches(x, (2, 1), (1, 1), "VALID", lhs_dilation=(2, 1)), x)
    xn = normal((1, 4, 3, 2, 2), 10)
    check_vmap(lambda x: lax.conv_general_dilated_patches(x, (2, 2), (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC")),
               xn, in_axes=3)
    x1 = normal((1, 2, 2, 2), 12)
    w = normal((3, 4, 8, 1, 1), 11)                        # batch of OIHW kernels, filter 2x2 VALID -> 1x1
    check_vmap(lambda x, w: lax.conv_general_dilated_local(x, w, (1, 1), "VALID", (2, 2)), x1, w, in_axes=(None, 0))
    xs = normal((3, 1, 2, 2, 2), 13)
    check_vmap(lambda x, w: lax.conv_general_dilated_local(x, w, (1, 1), "VALID", (2, 2)), xs, w, in_axes=(0, 0))


@pytest.mark.parametrize("backend", ["cpp", "triton"])
def test_patches_and_local_jit_backends(backend):
    x = X.astype(np.float32)
    jit_matches_eager(backend, lambda x: lax.conv_general_dilated_patches(x, (2, 2), (1, 1), "SAME"), x)
    f = lambda x, w: lax.conv_general_dilated_local(x, w, (1, 1), "VALID", (2, 2),  # noqa: E731
                                                    dimension_numbers=("NCHW", "HWIO", "NHWC"))
    jit_matches_eager(backend, f, x, W_HWIO, rtol=1e-5, atol=1e-6)
    jit_matches_eager(backend, jax.grad(lambda x, w: (f(x, w) ** 2).sum(), argnums=(0, 1)), x, W_HWIO,
                      rtol=1e-5, atol=1e-5)


def test_patches_and_local_jit_eager_backend():
    check_jit(lambda x: lax.conv_general_dilated_patches(x, (1, 2), (2, 3), ((1, 0), (0, 1)), (1, 2), (2, 1),
                                                         ("NHWC", "WHIO", "CNWH")), XN)
    check_jit(lambda x, w: lax.conv_general_dilated_local(x, w, (2, 2), "SAME", (1, 1)), X, W_OIHW)


def test_patches_and_local_errors():
    with pytest.raises(TypeError):                                   # JAX: ndim mismatch TypeError
        lax.conv_general_dilated_patches(X, (2,), (1,), "VALID")
    with pytest.raises(TypeError, match=r"rhs of shape \(3, 1, 2, 2\)"):   # JAX: dot_general's TypeError
        lax.conv_general_dilated_local(X, W_OIHW[:, :1], (2, 2), "SAME", (1, 1))
    with pytest.raises(TypeError, match="duplicate"):
        lax.conv_general_permutations(("NHHC", "HWIO", "NHWC"))
    with pytest.raises(ValueError, match="Unsupported precision"):
        lax.conv_general_dilated_local(X, W_OIHW, (2, 2), "SAME", (1, 1), precision=(None, None, None))


# ---- shape helpers (real JAX values) -------------------------------------------------------------
def test_conv_shape_helpers_match_jax():
    assert lax.conv_shape_tuple((2, 3, 5, 4), (6, 3, 2, 2), (1, 2), "SAME") == (2, 6, 5, 2)
    assert lax.conv_shape_tuple((4, 3, 5, 4), (6, 3, 3, 2), (2, 1), ((1, 0), (2, -1)), batch_group_count=2) == (2, 6, 2, 4)
    assert lax.conv_general_shape_tuple((2, 5, 4, 3), (2, 2, 3, 6), (1, 2), "VALID", ("NHWC", "HWIO", "NCHW")) == (2, 6, 4, 2)
    assert lax.conv_transpose_shape_tuple((2, 5, 4, 3), (2, 2, 3, 6), (2, 2), "SAME", ("NHWC", "HWIO", "NCHW")) == (2, 6, 10, 8)
    assert lax.conv_transpose_shape_tuple((2, 5, 4, 3), (3, 2, 3, 6), (2, 3), "VALID", ("NHWC", "HWIO", "NHWC")) == (2, 11, 12, 6)
    assert lax.conv_transpose_shape_tuple((2, 5, 4, 3), (3, 2, 3, 6), (2, 3), ((1, 2), (0, 1)),
                                          ("NHWC", "HWIO", "NHWC")) == (2, 10, 10, 6)
    assert lax.conv_general_permutations(("NHWC", "WHIO", "CNWH")) == ((0, 3, 2, 1), (3, 2, 0, 1), (1, 0, 2, 3))
    with pytest.raises(TypeError, match="Wrong number of explicit pads for convolution: expected 2, got 1"):
        lax.conv_shape_tuple((2, 3, 5, 4), (6, 3, 2, 2), (1, 2), ((1, 1),))
    with pytest.raises(ValueError, match="Negative padding is larger"):
        lax.conv_shape_tuple((2, 3, 5, 4), (6, 3, 2, 2), (1, 2), ((-3, -3), (0, 0)))
