#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# test_vexctl.sh - native test of vexctl (no kernel needed).
#
#  - "vexctl parse" (the dry run of attach) on .npy (f4, f2, i1, i2, b1, u1
#    as bits, f8 converted; header versions 1 to 3), .fvecs, text and JSON
#    inputs written with python3's struct module (numpy is not needed): the
#    printed values must equal those python computes, digit for digit;
#  - every rejection (bad magic, Fortran order, big-endian, truncated or
#    ragged input, NaN, garbage, 0 or > 65536 dimensions, > 32768 bytes,
#    values out of range for the data type) exits 1 with a message on stderr;
#  - usage errors exit 2; vector calls on a non-VexFS file or directory fail
#    with "not a VexFS file/filesystem" (ENOTTY);
#  - "vexctl train -" (PQ codebooks without a filesystem): the blob format
#    checked by python (header, size, CRC-32C, finite centroids), the default
#    m, determinism for a seed, --sample, .npy / .fvecs / stdin inputs, the
#    errors (n < 256, m not dividing d, bad options); "codebook show" on good
#    and damaged blobs; argument parsing of train, codebooks, codebook
#    add/get/list/show and of attach --compress / --codebook;
#  - attach (also --compress pq), get (also --out, --raw), list (paging),
#    detach, stats, codebook add/get/list and train against a fake of the
#    VexFS ioctls (an LD_PRELOAD library built here with cc), including the
#    messages for the kernel's errors;
#  - search: argument parsing, and against the fake SEARCH what vexctl passes
#    (batches split in calls of 256, LIKE, FS, metric, model, comp_mask) and
#    what it prints (text columns, JSON, zero entries dropped, errno messages).
#
# Usage: bash tests/user/test_vexctl.sh   (from the repository top, after make user)
# Output: "ok N - name" / "not ok N - name", then "# vtest: N passed, M failed".
set -u
T=$(cd "$(dirname "$0")/../.." && pwd)
B=${VEXFS_BUILD:-$T/build/user}
VEXCTL=$B/vexctl
W=$(mktemp -d "${TMPDIR:-/tmp}/vexctl-test.XXXXXX")
trap 'rm -rf "$W"' EXIT
N=0
PASS=0
FAIL=0

if [ ! -x "$VEXCTL" ]; then
	echo "$VEXCTL missing: run make user first" >&2
	exit 2
fi
if ! command -v python3 >/dev/null; then
	echo "python3 is needed to write the test inputs" >&2
	exit 2
fi

result() {	# result OK NAME
	N=$((N + 1))
	if [ "$1" = 0 ]; then
		PASS=$((PASS + 1))
		echo "ok $N - $2"
	else
		FAIL=$((FAIL + 1))
		echo "not ok $N - $2"
	fi
}

# run CMD...: run it with stdout in $W/out, stderr in $W/err, status in $RC.
run() {
	"$@" >"$W/out" 2>"$W/err"
	RC=$?
}

show() {	# show the last command's output after a failure
	sed 's/^/#   out: /' "$W/out" | head -10
	sed 's/^/#   err: /' "$W/err" | head -10
	echo "#   exit $RC"
}

# expect_rc WANT NAME CMD...: CMD exits with WANT.
expect_rc() {
	local want=$1 name=$2
	shift 2
	run "$@"
	[ "$RC" = "$want" ] || show
	[ "$RC" = "$want" ]
	result $? "$name"
}

# expect_fail WANT PATTERN NAME CMD...: CMD exits with WANT, prints nothing on
# stdout and a message matching PATTERN (grep -E) on stderr.
expect_fail() {
	local want=$1 pat=$2 name=$3 ok=0
	shift 3
	run "$@"
	[ "$RC" = "$want" ] || ok=1
	[ -s "$W/out" ] && ok=1
	grep -qE -- "$pat" "$W/err" || ok=1
	if [ $ok != 0 ]; then
		show
		echo "#   expected exit $want and stderr matching '$pat'"
	fi
	result $ok "$name"
}

# json_is FILE PYTHON-EXPR: the JSON document in FILE equals the expression.
json_is() {
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); w = eval(sys.argv[2])
assert d == w, (d, w)' "$1" "$2"
}

# expect_parse NAME FILE [OPTIONS...]: "vexctl parse FILE OPTIONS" prints
# exactly FILE.exp (written by the generator below).
expect_parse() {
	local name=$1 file=$2 ok=0
	shift 2
	run "$VEXCTL" parse "$file" "$@"
	[ "$RC" = 0 ] || ok=1
	[ -s "$W/err" ] && ok=1
	cmp -s "$W/out" "$file.exp" || ok=1
	if [ $ok != 0 ]; then
		show
		diff "$file.exp" "$W/out" | head -10 | sed 's/^/#   diff: /'
	fi
	result $ok "$name"
}

echo "# vexctl native test ($W)"
if python3 -c 'import numpy' 2>/dev/null; then
	echo "# numpy is installed, but the inputs are written with struct only"
fi

# ---- inputs and expected outputs ---------------------------------------------
# gen.py writes NAME and NAME.exp (the exact "vexctl parse" output expected).
cat >"$W/gen.py" <<'EOF'
import json, math, os, random, struct, sys

os.chdir(sys.argv[1])
random.seed(20240601)


def f32(x):
    return struct.unpack('<f', struct.pack('<f', x))[0]


def f16(x):
    return struct.unpack('<e', struct.pack('<e', x))[0]


def g(x):
    return '%.9g' % x


def npy(name, descr, shape, payload, fortran=False, ver=1, header=None):
    if header is None:
        header = "{'descr': %r, 'fortran_order': %s, 'shape': %r, }" % (
            descr, fortran, tuple(shape))
    pre = 10 if ver == 1 else 12
    pad = -(pre + len(header) + 1) % 64
    h = (header + ' ' * pad + '\n').encode('utf-8' if ver == 3 else 'latin1')
    size = struct.pack('<H', len(h)) if ver == 1 else struct.pack('<I', len(h))
    with open(name, 'wb') as f:
        f.write(b'\x93NUMPY' + bytes([ver, 0]) + size + h + payload)


def fvecs(name, vecs, raw=None):
    with open(name, 'wb') as f:
        if raw is not None:
            f.write(raw)
            return
        for v in vecs:
            f.write(struct.pack('<i%df' % len(v), len(v), *v))


def expect(name, fmt, dtype, vecs, bits=None):
    """vecs: values as printed (numbers, or 0/1 for bin)."""
    d = len(vecs[0])
    size = {'f32': 4 * d, 'f16': 2 * d, 'i8': d, 'i16': 2 * d, 'bin': (d + 7) // 8}[dtype]
    out = ['format: %s' % fmt, 'n: %d' % len(vecs), 'd: %d' % d, 'dtype: %s' % dtype,
           'bytes per vector: %d' % size]
    for i, v in enumerate(vecs):
        if dtype == 'bin':
            s = ''.join(str(int(x)) for x in v)
        elif dtype in ('i8', 'i16'):
            s = ' '.join(str(int(x)) for x in v)
        else:
            s = ' '.join(g(x) for x in v)
        out.append('vector %d: %s' % (i, s))
    with open(name + '.exp', 'w') as f:
        f.write('\n'.join(out) + '\n')


def rnd(n, d, conv=f32, scale=1.0):
    return [[conv(random.uniform(-scale, scale)) for _ in range(d)] for _ in range(n)]


# .npy float32, 1-D and 2-D, with extremes
v1 = [1.0, -2.5, f32(math.pi), f32(1e-38), -0.0, f32(3.4e38), f32(1.4e-45)]
npy('f4_1d.npy', '<f4', (7,), struct.pack('<7f', *v1))
expect('f4_1d.npy', 'npy', 'f32', [v1])
v2 = rnd(5, 16)
npy('f4_2d.npy', '<f4', (5, 16), b''.join(struct.pack('<16f', *r) for r in v2))
expect('f4_2d.npy', 'npy', 'f32', v2)
# header versions 2 and 3
npy('f4_v2.npy', '<f4', (2, 16), b''.join(struct.pack('<16f', *r) for r in v2[:2]), ver=2)
expect('f4_v2.npy', 'npy', 'f32', v2[:2])
npy('f4_v3.npy', '<f4', (16,), struct.pack('<16f', *v2[0]), ver=3)
expect('f4_v3.npy', 'npy', 'f32', v2[:1])
# float16: normal, subnormal, largest, negative zero
h1 = [1.0, f16(0.1), 65504.0, -0.0, f16(6e-8), f16(-3.14159)]
npy('f2_1d.npy', '<f2', (6,), struct.pack('<6e', *h1))
expect('f2_1d.npy', 'npy', 'f16', [h1])
h2 = rnd(3, 8, f16, 100.0)
npy('f2_2d.npy', '<f2', (3, 8), b''.join(struct.pack('<8e', *r) for r in h2))
expect('f2_2d.npy', 'npy', 'f16', h2)
# int8 ('|i1' and '<i1'), int16
b1 = [-128, 127, 0, -1, 5]
npy('i1_1d.npy', '|i1', (5,), struct.pack('<5b', *b1))
expect('i1_1d.npy', 'npy', 'i8', [b1])
b2 = [[random.randint(-128, 127) for _ in range(6)] for _ in range(4)]
npy('i1_2d.npy', '<i1', (4, 6), b''.join(struct.pack('<6b', *r) for r in b2))
expect('i1_2d.npy', 'npy', 'i8', b2)
s1 = [-32768, 32767, 0, 1000]
npy('i2_1d.npy', '<i2', (4,), struct.pack('<4h', *s1))
expect('i2_1d.npy', 'npy', 'i16', [s1])
s2 = [[random.randint(-32768, 32767) for _ in range(3)] for _ in range(7)]
npy('i2_2d.npy', '<i2', (7, 3), b''.join(struct.pack('<3h', *r) for r in s2))
expect('i2_2d.npy', 'npy', 'i16', s2)
# bool -> bin; uint8 as packed bits (--dtype bin); float64 with --dtype
bb = [1, 0, 1, 1, 0, 0, 0, 0, 1, 1, 1]
npy('b1.npy', '|b1', (11,), bytes(bb))
expect('b1.npy', 'npy', 'bin', [bb])
npy('u1.npy', '|u1', (2, 2), bytes([0x81, 0x03, 0xff, 0x00]))
expect('u1.npy', 'npy', 'bin', [[1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0],
                                [1] * 8 + [0] * 8])
d8 = [0.1, -1e-3, 12345.678, 1.0 + 2.0 ** -11 + 2.0 ** -40]
npy('f8.npy', '<f8', (4,), struct.pack('<4d', *d8))
expect('f8.npy', 'npy', 'f32', [[f32(x) for x in d8]])
os.link('f8.npy', 'f8h.npy')
expect('f8h.npy', 'npy', 'f16', [[f16(x) for x in d8]])
# f4 stored as f16 (--dtype f16), rounding to nearest even
c16 = [f32(x) for x in (0.1, 1.0 + 2.0 ** -11, 1.0 + 3 * 2.0 ** -11, 65519.0, -2.0 ** -25)]
npy('f4_to_f16.npy', '<f4', (5,), struct.pack('<5f', *c16))
expect('f4_to_f16.npy', 'npy', 'f16', [[f16(x) for x in c16]])
# largest vectors: 8192 x f32, 16384 x f16, 32768 x i8, 65536 bits
npy('max_f32.npy', '<f4', (8192,), struct.pack('<8192f', *([0.5] * 8192)))
expect('max_f32.npy', 'npy', 'f32', [[0.5] * 8192])
npy('max_f16.npy', '<f2', (16384,), struct.pack('<16384e', *([2.0] * 16384)))
expect('max_f16.npy', 'npy', 'f16', [[2.0] * 16384])
npy('max_i8.npy', '|i1', (32768,), bytes(32768))
expect('max_i8.npy', 'npy', 'i8', [[0] * 32768])
npy('max_bin.npy', '|b1', (65536,), bytes([1]) * 65536)
expect('max_bin.npy', 'npy', 'bin', [[1] * 65536])
# no extension: recognised by the magic
npy('npy_noext', '<f4', (3,), struct.pack('<3f', 1, 2, 3))
expect('npy_noext', 'npy', 'f32', [[1.0, 2.0, 3.0]])

# .fvecs, several vectors; as int16 when integral
fv = rnd(5, 7, f32, 10.0)
fvecs('multi.fvecs', fv)
expect('multi.fvecs', 'fvecs', 'f32', fv)
fi = [[float(random.randint(-300, 300)) for _ in range(4)] for _ in range(3)]
fvecs('int.fvecs', fi)
expect('int.fvecs', 'fvecs', 'i16', fi)

# text: blanks, commas, comments, empty lines, CRLF, exponents, leading '+'
txt = ('# three vectors\n1 2 3\n\n  4.5,-5e-1 , 6\r\n+7\t8.\t.9\n'
       '# trailing comment\n')
open('vecs.txt', 'w', newline='').write(txt)
expect('vecs.txt', 'text', 'f32', [[1, 2, 3], [4.5, -0.5, 6], [7, 8, f32(0.9)]])
open('vecs.csv', 'w').write('1,2\n3,4\n')
expect('vecs.csv', 'text', 'f32', [[1, 2], [3, 4]])
# text as f16: 1 + 2^-11 + 2^-40 must round up (one rounding, not two)
tricky = '1.00048828125000090949470177292824 0.1 -65504 1e-8 65519.99'
open('f16.txt', 'w').write(tricky + '\n')
expect('f16.txt', 'text', 'f16', [[f16(float(t)) for t in tricky.split()]])
open('i8.txt', 'w').write('-128 127 0 -0 1e2\n')
expect('i8.txt', 'text', 'i8', [[-128, 127, 0, 0, 100]])
open('i16.txt', 'w').write('-32768 32767 12.0\n')
expect('i16.txt', 'text', 'i16', [[-32768, 32767, 12]])
open('bin.txt', 'w').write('1 0 1 1 0 0 0 0 1\n')
expect('bin.txt', 'text', 'bin', [[1, 0, 1, 1, 0, 0, 0, 0, 1]])
# the largest text vector: 8192 f32 values on one line
open('wide.txt', 'w').write(' '.join(['0.25'] * 8192) + '\n')
expect('wide.txt', 'text', 'f32', [[0.25] * 8192])

# JSON: flat, nested, layout and exponents
open('flat.json', 'w').write(' [1, -2.5e0, 3E+2, 0.1, -0] \n')
expect('flat.json', 'json', 'f32', [[1, -2.5, 300, f32(0.1), -0.0]])
jn = rnd(4, 5, f32, 1000.0)
open('nested.json', 'w').write(json.dumps(jn, indent=2))
expect('nested.json', 'json', 'f32', jn)
open('nested_i8.json', 'w').write('[[1,2],[-3,4]]')
expect('nested_i8.json', 'json', 'i8', [[1, 2], [-3, 4]])
open('noext', 'w').write('\n[[1, 2], [3, 4]]')
expect('noext', 'json', 'f32', [[1, 2], [3, 4]])

# ---- rejected inputs -------------------------------------------------------
good = struct.pack('<3f', 1, 2, 3)
npy('bad_magic.npy', '<f4', (3,), good)
b = bytearray(open('bad_magic.npy', 'rb').read())
b[1:6] = b'NUMPX'
open('bad_magic.npy', 'wb').write(b)
npy('fortran.npy', '<f4', (2, 2), struct.pack('<4f', 1, 2, 3, 4), fortran=True)
npy('bigend.npy', '>f4', (3,), struct.pack('>3f', 1, 2, 3))
npy('bigend_i2.npy', '>i2', (2, 2), struct.pack('>4h', 1, 2, 3, 4))
npy('trunc.npy', '<f4', (2, 3), struct.pack('<5f', 1, 2, 3, 4, 5))
npy('trailing.npy', '<f4', (3,), struct.pack('<4f', 1, 2, 3, 4))
npy('dims0.npy', '<f4', (0,), b'')
npy('rows0.npy', '<f4', (0, 4), b'')
npy('dims_big.npy', '<f2', (65537,), bytes(2 * 65537))
npy('bytes_big.npy', '<f4', (8193,), bytes(4 * 8193))
npy('ndim3.npy', '<f4', (1, 2, 2), struct.pack('<4f', 1, 2, 3, 4))
npy('scalar.npy', '<f4', (), struct.pack('<f', 1))
npy('i4.npy', '<i4', (2,), struct.pack('<2i', 1, 2))
npy('u1.npy.nobin', '|u1', (2,), bytes([1, 2]))
os.rename('u1.npy.nobin', 'u1_nobin.npy')
npy('f8_nodtype.npy', '<f8', (2,), struct.pack('<2d', 1, 2))
npy('structured.npy', None, (2,), bytes(16),
    header="{'descr': [('a', '<f4'), ('b', '<f4')], 'fortran_order': False, 'shape': (2,), }")
npy('badhdr.npy', None, (3,), good, header="{'descr': '<f4', 'shape': (3,), }")
npy('nan.npy', '<f4', (3,), struct.pack('<3f', 1, float('nan'), 3))
npy('inf16.npy', '<f2', (2,), struct.pack('<2e', 1, float('inf')))
npy('i8_range.npy', '<i2', (3,), struct.pack('<3h', 1, 200, 3))
npy('ver9.npy', '<f4', (3,), good)
b = bytearray(open('ver9.npy', 'rb').read())
b[6] = 9
open('ver9.npy', 'wb').write(b)
open('short.npy', 'wb').write(b'\x93NUMPY\x01')
open('empty.npy', 'wb').write(b'')

rec = struct.pack('<i3f', 3, 1, 2, 3)
fvecs('trunc.fvecs', None, raw=rec * 3 + rec[:10])
fvecs('stray.fvecs', None, raw=rec * 2 + b'\x01\x02')
fvecs('ragged.fvecs', None, raw=rec + struct.pack('<i2f', 2, 1, 2) + rec)
fvecs('dims0.fvecs', None, raw=struct.pack('<i', 0))
fvecs('neg.fvecs', None, raw=struct.pack('<i', -4) + bytes(16))
fvecs('dims_big.fvecs', None, raw=struct.pack('<i', 65537) + bytes(4 * 65537))
fvecs('empty.fvecs', None, raw=b'')
fvecs('nan.fvecs', None, raw=struct.pack('<i3f', 3, 1, float('nan'), 3))

open('ragged.json', 'w').write('[[1, 2, 3],\n [4, 5]]')
open('trailcomma.json', 'w').write('[1, 2, ]')
open('garbage_after.json', 'w').write('[1, 2] x')
open('empty_arr.json', 'w').write('[]')
open('empty_vec.json', 'w').write('[[]]')
open('deep.json', 'w').write('[[[1]]]')
open('string.json', 'w').write('[1, "2"]')
open('mixed.json', 'w').write('[[1, 2], 3]')
open('nan.json', 'w').write('[1, NaN]')
open('inf.json', 'w').write('[1, -Infinity]')
open('lead0.json', 'w').write('[01]')
open('obj.json', 'w').write('{"v": [1]}')
open('unterminated.json', 'w').write('[1, 2')
open('huge.json', 'w').write('[1e999]')

open('garbage.txt', 'w').write('1 2 3\n4 x5 6\n')
open('nan.txt', 'w').write('1 2\nnan 3\n')
open('inf.txt', 'w').write('-inf 2\n')
open('ragged.txt', 'w').write('1 2 3\n4 5\n')
open('empty.txt', 'w').write('\n# nothing\n\n')
open('comma2.txt', 'w').write('1,,2\n')
open('comma_end.txt', 'w').write('1,2,\n')
open('dims_big.txt', 'w').write(' '.join(['1'] * 65537) + '\n')
open('bytes_big.txt', 'w').write(' '.join(['1'] * 8193) + '\n')
open('i8_big.txt', 'w').write('1 128 3\n')
open('i8_small.txt', 'w').write('-129\n')
open('i8_frac.txt', 'w').write('1.5 2\n')
open('i16_big.txt', 'w').write('40000\n')
open('f16_big.txt', 'w').write('1 70000\n')
open('f32_big.txt', 'w').write('1e39\n')
open('bin_2.txt', 'w').write('0 1 2\n')
open('vecs.npz', 'wb').write(b'PK\x03\x04')
open('vecs.dat', 'wb').write(b'\x01\x02\x03')
EOF
python3 "$W/gen.py" "$W" || { echo "# gen.py failed"; echo "# vtest: 0 passed, 1 failed"; exit 1; }
cd "$W" || exit 1

# ---- parse: round trips --------------------------------------------------------
expect_parse "npy <f4 1-D (extremes, -0, subnormal)" f4_1d.npy
expect_parse "npy <f4 2-D (5, 16)" f4_2d.npy
expect_parse "npy format version 2 header" f4_v2.npy
expect_parse "npy format version 3 header" f4_v3.npy
expect_parse "npy <f2 1-D (subnormal, 65504, -0)" f2_1d.npy
expect_parse "npy <f2 2-D (3, 8)" f2_2d.npy
expect_parse "npy |i1 1-D" i1_1d.npy
expect_parse "npy <i1 2-D (4, 6)" i1_2d.npy
expect_parse "npy <i2 1-D (-32768, 32767)" i2_1d.npy
expect_parse "npy <i2 2-D (7, 3)" i2_2d.npy
expect_parse "npy |b1 -> bin" b1.npy
expect_parse "npy |u1 as packed bits (--dtype bin)" u1.npy --dtype bin
expect_parse "npy <f8 --dtype f32" f8.npy --dtype f32
expect_parse "npy <f8 --dtype f16 (one rounding)" f8h.npy -t f16
expect_parse "npy <f4 --dtype f16 (round to nearest even)" f4_to_f16.npy --dtype f16
expect_parse "npy --dtype f32 on f32 data" f4_1d.npy --dtype f32
expect_parse "largest f32 vector: 8192 dims" max_f32.npy
expect_parse "largest f16 vector: 16384 dims" max_f16.npy
expect_parse "largest i8 vector: 32768 dims" max_i8.npy
expect_parse "largest bin vector: 65536 dims" max_bin.npy
expect_parse "npy recognised by its magic (no extension)" npy_noext
expect_parse "fvecs, 5 vectors" multi.fvecs
expect_parse "fvecs --dtype i16" int.fvecs --dtype i16
expect_parse "text: blanks, commas, comments, CRLF" vecs.txt
expect_parse ".csv is text" vecs.csv
expect_parse "text --dtype f16 (decimal rounded once)" f16.txt --dtype f16
expect_parse "text --dtype i8" i8.txt --dtype i8
expect_parse "text --dtype i16" i16.txt --dtype int16
expect_parse "text --dtype bin" bin.txt --dtype bin
expect_parse "text: 8192 values on a line" wide.txt
expect_parse "JSON flat array" flat.json
expect_parse "JSON array of arrays" nested.json
expect_parse "JSON --dtype i8" nested_i8.json --dtype i8
expect_parse "JSON recognised by its content (no extension)" noext
expect_parse "--format overrides the extension" multi.fvecs --format fvecs
cp vecs.txt.exp stdin.exp
run "$VEXCTL" parse - --format text <vecs.txt
cmp -s "$W/out" stdin.exp
result $? "standard input with --format text"

run "$VEXCTL" parse nested.json --json
python3 - "$W/out" nested.json <<'EOF'
import json, struct, sys
def f32(x):
    return struct.unpack('<f', struct.pack('<f', x))[0]
got = json.load(open(sys.argv[1]))
want = [[f32(x) for x in r] for r in json.load(open(sys.argv[2]))]
assert got['format'] == 'json' and got['n'] == 4 and got['d'] == 5, got
assert got['dtype'] == 'f32' and got['bytes_per_vector'] == 20, got
# %.9g identifies a float32 exactly
assert [[f32(x) for x in r] for r in got['vectors']] == want, (got['vectors'], want)
EOF
result $? "parse --json is valid JSON with the same values"
run "$VEXCTL" parse b1.npy --json
python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))
assert d["vectors"] == [[1, 0, 1, 1, 0, 0, 0, 0, 1, 1, 1]], d' "$W/out"
result $? "parse --json of bin: 0/1 values"

# ---- parse: rejections (exit 1, message on stderr) ------------------------------
expect_fail 1 "bad_magic.npy: not a NumPy .npy file" "npy wrong magic" \
	"$VEXCTL" parse bad_magic.npy
expect_fail 1 "fortran.npy: Fortran-ordered" "npy fortran_order True" \
	"$VEXCTL" parse fortran.npy
expect_fail 1 "bigend.npy: big-endian data \('>f4'\)" "npy big-endian >f4" \
	"$VEXCTL" parse bigend.npy
expect_fail 1 "big-endian data \('>i2'\)" "npy big-endian >i2" "$VEXCTL" parse bigend_i2.npy
expect_fail 1 "trunc.npy: truncated: shape \(2, 3\)" "npy truncated data" \
	"$VEXCTL" parse trunc.npy
expect_fail 1 "4 bytes of unexpected data" "npy trailing data" "$VEXCTL" parse trailing.npy
expect_fail 1 "dims0.npy: a vector with 0 dimensions" "npy shape (0,): dims 0" \
	"$VEXCTL" parse dims0.npy
expect_fail 1 "no vectors" "npy shape (0, 4): no vectors" "$VEXCTL" parse rows0.npy
expect_fail 1 "65537 dimensions: more than the maximum 65536" "npy dims > 65536" \
	"$VEXCTL" parse dims_big.npy
expect_fail 1 "8193 dimensions of f32 take 32772 bytes: more than the maximum 32768" \
	"npy f32 data > 32768 bytes" "$VEXCTL" parse bytes_big.npy
expect_fail 1 "3-dimensional array" "npy 3-D shape" "$VEXCTL" parse ndim3.npy
expect_fail 1 "0-dimensional array" "npy scalar" "$VEXCTL" parse scalar.npy
expect_fail 1 "unsupported .npy data type '<i4'" "npy <i4 unsupported" "$VEXCTL" parse i4.npy
expect_fail 1 "uint8 data .* --dtype bin" "npy |u1 without --dtype bin" \
	"$VEXCTL" parse u1_nobin.npy
expect_fail 1 "uint8 data" "npy |u1 with --dtype f32" "$VEXCTL" parse u1_nobin.npy -t f32
expect_fail 1 "float64 data .*--dtype" "npy <f8 without --dtype" "$VEXCTL" parse f8_nodtype.npy
expect_fail 1 "structured arrays are not supported" "npy structured dtype" \
	"$VEXCTL" parse structured.npy
expect_fail 1 "missing 'fortran_order'" "npy header without fortran_order" \
	"$VEXCTL" parse badhdr.npy
expect_fail 1 "vector 0, element 1: NaN is not allowed" "npy NaN" "$VEXCTL" parse nan.npy
expect_fail 1 "vector 0, element 1: infinite values are not allowed" "npy f16 infinity" \
	"$VEXCTL" parse inf16.npy
expect_fail 1 "element 1: 200 is out of range for i8" "npy i2 --dtype i8 out of range" \
	"$VEXCTL" parse i8_range.npy --dtype i8
expect_fail 1 "unsupported .npy format version 9" "npy version 9" "$VEXCTL" parse ver9.npy
expect_fail 1 "not a NumPy" "npy 7 bytes" "$VEXCTL" parse short.npy
expect_fail 1 "not a NumPy" "npy empty file" "$VEXCTL" parse empty.npy
expect_fail 1 "trunc.fvecs: truncated: vector 3 \(byte 48\) needs 16 bytes, only 10 left" \
	"fvecs truncated record" "$VEXCTL" parse trunc.fvecs
expect_fail 1 "truncated: 2 stray bytes" "fvecs stray bytes at the end" \
	"$VEXCTL" parse stray.fvecs
expect_fail 1 "vector 1 \(byte 16\): 2 dimensions, expected 3" "fvecs ragged d" \
	"$VEXCTL" parse ragged.fvecs
expect_fail 1 "0 dimensions" "fvecs dims 0" "$VEXCTL" parse dims0.fvecs
expect_fail 1 "invalid dimension count -4" "fvecs negative d" "$VEXCTL" parse neg.fvecs
expect_fail 1 "65537 dimensions: more than the maximum" "fvecs dims > 65536" \
	"$VEXCTL" parse dims_big.fvecs
expect_fail 1 "empty file" "fvecs empty" "$VEXCTL" parse empty.fvecs
expect_fail 1 "NaN is not allowed" "fvecs NaN" "$VEXCTL" parse nan.fvecs
expect_fail 1 "ragged.json: line 2, column 2: vector 1 has 2 values, expected 3" \
	"JSON ragged" "$VEXCTL" parse ragged.json
expect_fail 1 "line 1, column 8: trailing ','" "JSON trailing comma" \
	"$VEXCTL" parse trailcomma.json
expect_fail 1 "column 8: unexpected data after the JSON array" "JSON garbage after" \
	"$VEXCTL" parse garbage_after.json
expect_fail 1 "empty array" "JSON []" "$VEXCTL" parse empty_arr.json
expect_fail 1 "0 dimensions" "JSON [[]]: dims 0" "$VEXCTL" parse empty_vec.json
expect_fail 1 "nested too deep" "JSON 3 levels" "$VEXCTL" parse deep.json
expect_fail 1 "column 5: '\"2\"' is not a number" "JSON string value" \
	"$VEXCTL" parse string.json
expect_fail 1 "holds only arrays" "JSON vectors and numbers mixed" "$VEXCTL" parse mixed.json
expect_fail 1 "'NaN': NaN and infinite values are not allowed" "JSON NaN" \
	"$VEXCTL" parse nan.json
expect_fail 1 "NaN and infinite values are not allowed" "JSON -Infinity" \
	"$VEXCTL" parse inf.json
expect_fail 1 "'01' is not a number" "JSON leading zero" "$VEXCTL" parse lead0.json
expect_fail 1 "expected '\['" "JSON object" "$VEXCTL" parse obj.json
expect_fail 1 "expected ',' or '\]', found end of input" "JSON unterminated" \
	"$VEXCTL" parse unterminated.json
expect_fail 1 "1e999 is out of range" "JSON 1e999" "$VEXCTL" parse huge.json
expect_fail 1 "garbage.txt: line 2, column 3: 'x5' is not a number" "text non-numeric" \
	"$VEXCTL" parse garbage.txt
expect_fail 1 "line 2, column 1: 'nan': NaN" "text nan" "$VEXCTL" parse nan.txt
expect_fail 1 "'-inf': NaN and infinite" "text -inf" "$VEXCTL" parse inf.txt
expect_fail 1 "line 2, column 1: vector 1 has 2 values, expected 3" "text ragged" \
	"$VEXCTL" parse ragged.txt
expect_fail 1 "no vectors" "text without numbers" "$VEXCTL" parse empty.txt
expect_fail 1 "column 3: missing value before ','" "text 1,,2" "$VEXCTL" parse comma2.txt
expect_fail 1 "missing value after ','" "text trailing comma" "$VEXCTL" parse comma_end.txt
expect_fail 1 "more than the maximum 65536 dimensions" "text dims > 65536" \
	"$VEXCTL" parse dims_big.txt
expect_fail 1 "8193 dimensions of f32 take 32772 bytes" "text f32 data > 32768 bytes" \
	"$VEXCTL" parse bytes_big.txt
expect_rc 0 "... but 8193 dims fit as f16" "$VEXCTL" parse bytes_big.txt --dtype f16
expect_fail 1 "column 3: 128 is out of range for i8 \(-128..127\)" "text i8 out of range" \
	"$VEXCTL" parse i8_big.txt --dtype i8
expect_fail 1 "-129 is out of range for i8" "text i8 -129" "$VEXCTL" parse i8_small.txt -t i8
expect_fail 1 "1.5 is not an integer" "text i8 not integral" \
	"$VEXCTL" parse i8_frac.txt --dtype i8
expect_fail 1 "40000 is out of range for i16" "text i16 out of range" \
	"$VEXCTL" parse i16_big.txt --dtype i16
expect_fail 1 "70000 is out of range for f16" "text f16 out of range" \
	"$VEXCTL" parse f16_big.txt --dtype f16
expect_fail 1 "out of range for f32" "text f32 out of range" "$VEXCTL" parse f32_big.txt
expect_fail 1 "2 is not 0 or 1" "text bin value 2" "$VEXCTL" parse bin_2.txt --dtype bin
expect_fail 1 "npz archives are not supported" ".npz" "$VEXCTL" parse vecs.npz
expect_fail 1 "vecs.dat: cannot tell the format.*--format" "unknown extension" \
	"$VEXCTL" parse vecs.dat
expect_fail 1 "cannot open missing.npy: No such file" "missing input file" \
	"$VEXCTL" parse missing.npy
expect_fail 1 "is a directory" "directory as input" "$VEXCTL" parse "$W"
expect_fail 1 "not a NumPy" "--format npy on a text file" "$VEXCTL" parse vecs.txt -f npy

# ---- usage, help, version ----------------------------------------------------------
expect_fail 2 "Usage: vexctl" "no arguments: usage, exit 2" "$VEXCTL"
expect_fail 2 "unknown command 'frobnicate'" "unknown command" "$VEXCTL" frobnicate
expect_fail 2 "unknown option '--bogus'" "unknown option" "$VEXCTL" list --bogus f
expect_fail 2 "unknown data type 'f64'" "bad --dtype" "$VEXCTL" parse vecs.txt --dtype f64
expect_fail 2 "unknown format 'xml'" "bad --format" "$VEXCTL" parse vecs.txt --format xml
expect_fail 2 "--vector PATH is required" "attach without --vector" "$VEXCTL" attach f
expect_fail 2 "option '--vector' needs an argument" "attach --vector without PATH" \
	"$VEXCTL" attach f --vector
expect_fail 2 "too many arguments" "parse with two paths" "$VEXCTL" parse a b
expect_fail 2 "missing argument" "get without ID" "$VEXCTL" get f
expect_fail 2 "invalid vector id 'x1'" "get with a bad id" "$VEXCTL" get f x1
expect_fail 2 "invalid confidence '1.5'" "--confidence 1.5" \
	"$VEXCTL" attach f -v vecs.txt --confidence 1.5
expect_fail 2 "longer than 16 bytes" "--model too long" \
	"$VEXCTL" attach f -v vecs.txt --model 0123456789abcdefX
expect_fail 2 "invalid model version" "--model-version -1" \
	"$VEXCTL" attach f -v vecs.txt --model-version -1
expect_rc 0 "--help" "$VEXCTL" --help
grep -q "parse PATH .*dry run" "$W/out"
result $? "--help documents parse as a dry run"
for c in attach get list detach stats parse train codebooks codebook; do
	expect_rc 0 "$c --help" "$VEXCTL" $c --help
done
for c in add get list show; do
	expect_rc 0 "codebook $c --help" "$VEXCTL" codebook $c --help
	grep -q "^Usage: vexctl codebook $c " "$W/out"
	result $? "codebook $c --help is the subcommand's"
done
expect_rc 0 "help codebook get" "$VEXCTL" help codebook get
grep -q "^Usage: vexctl codebook get FS-PATH ID" "$W/out"
result $? "help codebook get: the subcommand's usage"
"$VEXCTL" --help >help.txt
grep -q "train FS-PATH --vectors" help.txt && grep -q "codebooks FS-PATH" help.txt
result $? "--help lists train and codebooks"
expect_rc 0 "--version" "$VEXCTL" --version
grep -q "^vexctl " "$W/out"
result $? "--version names vexctl"

# ---- search: argument parsing, and a target that is not VexFS -------------------------
expect_rc 0 "search --help" "$VEXCTL" search --help
grep -q "VEXFS_IOC_INO_PATHS" "$W/out" && grep -q "subtree" "$W/out"
result $? "search --help documents the subtree scope and the kernel's paths"
grep -q "search PATH --vector Q" help.txt
result $? "--help lists search"
: >plain
expect_fail 2 "give one of --vector Q and --like FILE" "search: no query" "$VEXCTL" search plain
expect_fail 2 "give one of --vector Q and --like FILE" "search: --vector and --like" \
	"$VEXCTL" search plain -v vecs.txt --like plain
expect_fail 2 "invalid k '0'" "search -k 0" "$VEXCTL" search plain -v vecs.txt -k 0
expect_fail 2 "invalid k '4097'" "search -k 4097" "$VEXCTL" search plain -v vecs.txt -k 4097
expect_fail 2 "unknown metric 'manhattan'" "search: unknown metric" \
	"$VEXCTL" search plain -v vecs.txt --metric manhattan
expect_fail 2 "unknown compression 'zstd'" "search: unknown compression in --compress" \
	"$VEXCTL" search plain -v vecs.txt --compress none,zstd
expect_fail 2 "--id needs --like" "search: --id without --like" \
	"$VEXCTL" search plain -v vecs.txt --id 3
expect_fail 2 "--ef needs --approx" "search: --ef without --approx" \
	"$VEXCTL" search plain -v vecs.txt --ef 32
expect_fail 2 "--ef 5 is below -k 10" "search: --ef below k" \
	"$VEXCTL" search plain -v vecs.txt --approx --ef 5
expect_fail 2 "longer than 16 bytes" "search: --model too long" \
	"$VEXCTL" search plain -v vecs.txt --model 0123456789abcdefX
expect_fail 1 "hamming metric is for bin queries" "search: hamming with f32 queries" \
	"$VEXCTL" search plain -v vecs.txt --metric hamming
expect_fail 1 "plain: not a VexFS filesystem \(ENOTTY\)" "search on a file that is not on VexFS" \
	"$VEXCTL" search plain -v vecs.txt
expect_fail 1 "plain: not a VexFS filesystem \(ENOTTY\)" "search --reference on a file not on VexFS" \
	"$VEXCTL" search plain -v vecs.txt --reference
expect_fail 1 "not a VexFS file" "search --like a file that is not on VexFS" \
	"$VEXCTL" search plain --like plain

# ---- train: PQ codebooks without a filesystem ----------------------------------------
# Training vectors: 600 x 16 around 40 centres (.fvecs), 300 x 8 (.npy), 100 x 16.
python3 - <<'EOF'
import random, struct
random.seed(7)
def pts(n, d):
    out = []
    for _ in range(n):
        c = random.randrange(40)
        out.append([((c * 7 + k * 3) % 11) - 5 + 0.3 * random.uniform(-1, 1) for k in range(d)])
    return out
with open('train.fvecs', 'wb') as f:
    for v in pts(600, 16):
        f.write(struct.pack('<i16f', 16, *v))
with open('small.fvecs', 'wb') as f:
    for v in pts(100, 16):
        f.write(struct.pack('<i16f', 16, *v))
h = "{'descr': '<f4', 'fortran_order': False, 'shape': (300, 8), }"
h += ' ' * (-(10 + len(h) + 1) % 64) + '\n'
with open('train8.npy', 'wb') as f:
    f.write(b'\x93NUMPY\x01\x00' + struct.pack('<H', len(h)) + h.encode())
    for v in pts(300, 8):
        f.write(struct.pack('<8f', *v))
with open('pq16.fvecs', 'wb') as f:
    for v in pts(3, 16):
        f.write(struct.pack('<i16f', 16, *v))
EOF
# blob_ok BLOB D M [crc]: the vq PQ blob format, checked independently of the C
# code (header fields, size, CRC-32C over the header with crc 0 and the payload,
# finite values); with a 4th argument prints the CRC.
cat >blobchk.py <<'EOF'
import math, struct, sys
T = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    T.append(c)
def crc32c(crc, data):
    for b in data:
        crc = T[(crc ^ b) & 0xff] ^ (crc >> 8)
    return crc
b = open(sys.argv[1], 'rb').read()
d, m = int(sys.argv[2]), int(sys.argv[3])
magic, ver, kind, dim, mm, ksub, pl, res, crc = struct.unpack('<IHHIIIIII', b[:32])
assert (magic, ver, kind, dim, mm, ksub, pl, res) == (0x51565856, 1, 3, d, m, 256, 1024 * d, 0), \
    (hex(magic), ver, kind, dim, mm, ksub, pl, res)
assert len(b) == 32 + 1024 * d, len(b)
assert crc == crc32c(0xffffffff, b[:28] + bytes(4) + b[32:]), hex(crc)
vals = struct.unpack('<%df' % (256 * d), b[32:])
assert all(math.isfinite(x) for x in vals)
assert len(set(vals)) > 256, 'centroids are not distinct'
if len(sys.argv) > 4:
    print('0x%08x' % crc)
EOF
blob_ok() {
	python3 blobchk.py "$@"
}

expect_rc 0 "train - --out: writes a blob" \
	"$VEXCTL" train - --vectors train.fvecs --out cb1.blob
[ ! -s "$W/out" ] && [ ! -s "$W/err" ]
result $? "train -: quiet on success"
blob_ok cb1.blob 16 2
result $? "train: blob header, size, CRC-32C and finite centroids (d 16, default m 2)"
expect_rc 0 "train again with the same seed" "$VEXCTL" train - -v train.fvecs -o cb2.blob
cmp -s cb1.blob cb2.blob
result $? "train: deterministic (identical bytes for the same seed)"
expect_rc 0 "train --seed 7" "$VEXCTL" train - -v train.fvecs -o cb3.blob --seed 7
! cmp -s cb1.blob cb3.blob && blob_ok cb3.blob 16 2
result $? "train: another seed, another (valid) codebook"
expect_rc 0 "train -m 4 --iters 5 --json" \
	"$VEXCTL" train - -v train.fvecs -o cb4.blob -m 4 --iters 5 --json
crc4=$(blob_ok cb4.blob 16 4 crc)
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["id"] is None and d["out"] == "cb4.blob" and d["path"] == "-", d
assert d["dims"] == 16 and d["m"] == 4 and d["vectors"] == 600 and d["trained_on"] == 600, d
assert d["iters"] == 5 and d["seed"] == 1 and d["bytes"] == 16416, d
assert d["blob_crc"] == sys.argv[2] and 0 < d["mse"] < 16, d' "$W/out" "$crc4"
result $? "train --json: dims, m, counts, CRC of the blob written, mse"
expect_rc 0 "train --sample 300 (seeded subset)" \
	"$VEXCTL" train - -v train.fvecs -o s1.blob --sample 300 --json
python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))
assert d["vectors"] == 600 and d["trained_on"] == 300, d' "$W/out"
result $? "train --sample: trained on 300 of 600"
run "$VEXCTL" train - -v train.fvecs -o s2.blob --sample 300
cmp -s s1.blob s2.blob && ! cmp -s s1.blob cb1.blob
result $? "train --sample: deterministic, and not the full-data codebook"
expect_rc 0 "train from .npy (d 8: default m 1)" "$VEXCTL" train - -v train8.npy -o n8.blob
blob_ok n8.blob 8 1
result $? "train .npy: valid blob, d 8, m 1"
expect_rc 0 "train from standard input (--format fvecs)" \
	"$VEXCTL" train - -v - --format fvecs -o stdin.blob <train.fvecs
cmp -s stdin.blob cb1.blob
result $? "train from standard input: the same codebook"

expect_rc 0 "codebook show" "$VEXCTL" codebook show cb4.blob
grep -q "^dims: *16$" "$W/out" && grep -q "^m: *4 (4 dimensions each, 256 centroids)$" "$W/out" &&
	grep -q "^blob crc: *$crc4$" "$W/out" && grep -q "^bytes: *16416$" "$W/out"
result $? "codebook show: dims, m, crc, bytes"
expect_rc 0 "codebook show --json" "$VEXCTL" codebook show cb4.blob --json
json_is "$W/out" "{'blob': 'cb4.blob', 'dims': 16, 'm': 4, 'blob_crc': '$crc4', 'bytes': 16416, 'dsub': 4, 'ksub': 256}"
result $? "codebook show --json"

expect_fail 1 "small.fvecs: 100 vectors: PQ training needs at least 256" "train: n < 256" \
	"$VEXCTL" train - -v small.fvecs -o x.blob
expect_fail 2 "5 subspaces do not divide the 16 dimensions of train.fvecs" \
	"train: m does not divide d" "$VEXCTL" train - -v train.fvecs -o x.blob -m 5
expect_fail 2 "32 subspaces do not divide the 16 dimensions" "train: m > d" \
	"$VEXCTL" train - -v train.fvecs -o x.blob -m 32
expect_fail 2 "invalid number of subspaces '0'" "train: -m 0" \
	"$VEXCTL" train - -v train.fvecs -o x.blob -m 0
expect_fail 2 "invalid sample size '100' \(256\.\." "train: --sample below 256" \
	"$VEXCTL" train - -v train.fvecs -o x.blob --sample 100
expect_fail 2 "invalid iteration count 'x'" "train: --iters x" \
	"$VEXCTL" train - -v train.fvecs -o x.blob --iters x
expect_fail 2 "invalid seed '-1'" "train: --seed -1" \
	"$VEXCTL" train - -v train.fvecs -o x.blob --seed -1
expect_fail 2 "with FS-PATH '-' nothing is installed: give --out BLOB" "train - without --out" \
	"$VEXCTL" train - -v train.fvecs
expect_fail 2 "train: --vectors FILE is required" "train without --vectors" \
	"$VEXCTL" train - -o x.blob
expect_fail 2 "train: missing argument" "train without FS-PATH" "$VEXCTL" train
expect_fail 1 "bad_magic.npy: not a NumPy" "train: bad input" \
	"$VEXCTL" train - -v bad_magic.npy -o x.blob
expect_fail 1 "ragged.fvecs: vector 1 \(byte 16\): 2 dimensions" "train: ragged input" \
	"$VEXCTL" train - -v ragged.fvecs -o x.blob
: >plain
expect_fail 1 "plain: not a VexFS filesystem \(ENOTTY\)" "train: FS-PATH not on VexFS" \
	"$VEXCTL" train plain -v train.fvecs -o never.blob
[ ! -e never.blob ]
result $? "train: a target that is not VexFS fails before training (no blob written)"
[ ! -e x.blob ]
result $? "train: no blob written by any failed run"

# blob files that are not codebooks
printf 'hello' >hello.blob
head -c 1000 cb1.blob >short.blob
python3 -c '
b = bytearray(open("cb1.blob", "rb").read())
b[100] ^= 1
open("flip.blob", "wb").write(b)
b = bytearray(open("cb1.blob", "rb").read())
b[0] = 0
open("magic.blob", "wb").write(b)
b = bytearray(open("cb1.blob", "rb").read())
b[6] = 1
open("kind.blob", "wb").write(b)'
expect_fail 1 "hello.blob: 5 bytes: shorter than a blob header" "codebook show: 5 bytes" \
	"$VEXCTL" codebook show hello.blob
expect_fail 1 "short.blob: 1000 bytes: a PQ codebook of 16 dimensions has 16416" \
	"codebook show: truncated blob" "$VEXCTL" codebook show short.blob
expect_fail 1 "flip.blob: corrupt PQ codebook" "codebook show: a flipped bit (CRC)" \
	"$VEXCTL" codebook show flip.blob
expect_fail 1 "magic.blob: not a vq parameter blob" "codebook show: bad magic" \
	"$VEXCTL" codebook show magic.blob
expect_fail 1 "kind.blob: a vq blob of kind 1, not a PQ codebook" "codebook show: SQ kind" \
	"$VEXCTL" codebook show kind.blob
expect_fail 1 "is a directory, not a codebook blob" "codebook show: a directory" \
	"$VEXCTL" codebook show "$W"
expect_fail 1 "flip.blob: corrupt PQ codebook" "codebook add checks the blob first" \
	"$VEXCTL" codebook add plain flip.blob
expect_fail 1 "plain: not a VexFS filesystem \(ENOTTY\)" "codebook add on a non-VexFS file" \
	"$VEXCTL" codebook add plain cb1.blob
expect_fail 1 "plain: not a VexFS filesystem \(ENOTTY\)" "codebooks on a non-VexFS file" \
	"$VEXCTL" codebooks plain
expect_fail 1 "^vexctl: /tmp: not a VexFS filesystem \(ENOTTY\)" "codebook list /tmp" \
	"$VEXCTL" codebook list /tmp
expect_fail 1 "plain: codebook 1: not a VexFS filesystem \(ENOTTY\)" \
	"codebook get on a non-VexFS file" "$VEXCTL" codebook get plain 1

# argument parsing of the codebook commands and of attach's compression options
expect_fail 2 "codebook: missing subcommand" "codebook without a subcommand" "$VEXCTL" codebook
expect_fail 2 "codebook: unknown subcommand 'frob'" "codebook frob" "$VEXCTL" codebook frob
expect_fail 2 "codebook get: missing argument" "codebook get without ID" \
	"$VEXCTL" codebook get plain
expect_fail 2 "invalid codebook id 'x' \(1\.\.31\)" "codebook get x" "$VEXCTL" codebook get plain x
expect_fail 2 "invalid codebook id '0'" "codebook get 0" "$VEXCTL" codebook get plain 0
expect_fail 2 "invalid codebook id '32'" "codebook get 32" "$VEXCTL" codebook get plain 32
expect_fail 2 "Try 'vexctl codebook get --help'" "codebook get: usage points at its help" \
	"$VEXCTL" codebook get plain 0
expect_fail 2 "codebook add: missing argument" "codebook add without BLOB" \
	"$VEXCTL" codebook add plain
expect_fail 2 "codebook show: too many arguments" "codebook show a b" \
	"$VEXCTL" codebook show a b
expect_fail 2 "codebook get: unknown option '--bogus'" "codebook get --bogus" \
	"$VEXCTL" codebook get plain 1 --bogus
expect_fail 2 "codebooks: missing argument" "codebooks without FS-PATH" "$VEXCTL" codebooks
expect_fail 2 "codebooks: too many arguments" "codebooks a b" "$VEXCTL" codebooks a b
expect_fail 2 "attach: --codebook needs --compress pq" "attach --codebook without pq" \
	"$VEXCTL" attach plain -v vecs.txt --codebook 1
expect_fail 2 "attach: --codebook needs --compress pq" "attach --codebook with f16" \
	"$VEXCTL" attach plain -v vecs.txt --codebook 1 --compress f16
expect_fail 2 "unknown compression 'zip'" "attach --compress zip" \
	"$VEXCTL" attach plain -v vecs.txt --compress zip
expect_fail 2 "invalid codebook id '0'" "attach --codebook 0" \
	"$VEXCTL" attach plain -v vecs.txt --compress pq --codebook 0
expect_fail 1 "i1_2d.npy: pq compression takes f32 vectors, these are i8" \
	"attach --compress pq of i8 vectors" "$VEXCTL" attach plain -v i1_2d.npy --compress pq
expect_fail 1 "plain: not a VexFS file" "attach --compress pq on a non-VexFS file" \
	"$VEXCTL" attach plain -v vecs.txt --compress pq

# ---- vector calls outside VexFS (ENOTTY) ------------------------------------------
: >plain
expect_fail 1 "^vexctl: /tmp: not a VexFS filesystem \(ENOTTY\)" "stats /tmp: not VexFS" \
	"$VEXCTL" stats /tmp
expect_fail 1 "plain: not a VexFS file" "stats on a plain file: not VexFS" \
	"$VEXCTL" stats plain
expect_fail 1 "plain: not a VexFS file" "attach to a non-VexFS file" \
	"$VEXCTL" attach plain --vector vecs.txt
expect_fail 1 "plain: not a VexFS file" "list on a non-VexFS file" "$VEXCTL" list plain
expect_fail 1 "plain: vector 3: not a VexFS file" "get on a non-VexFS file" \
	"$VEXCTL" get plain 3
expect_fail 1 "plain: vector 3: not a VexFS file" "detach on a non-VexFS file" \
	"$VEXCTL" detach plain 3
expect_fail 1 "is a directory" "attach to a directory" "$VEXCTL" attach "$W" -v vecs.txt
expect_fail 1 "not a regular file or directory" "stats /dev/null" "$VEXCTL" stats /dev/null
expect_fail 1 "cannot open missing" "attach to a missing file" \
	"$VEXCTL" attach missing -v vecs.txt
expect_fail 1 "bad_magic.npy: not a NumPy" "attach checks the input before the target" \
	"$VEXCTL" attach missing -v bad_magic.npy

# ---- attach/get/list/detach/stats against a fake of the ioctls ---------------------
# fake.so implements the VEXFS_IOC_VEC_* calls in userspace, keeping the
# vectors in the file $VEXCTL_FAKE, and checks what vexctl passes (size
# fields, zero pad and reserved fields, data_len = dims x type size).
cat >fake.c <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <linux/types.h>
#include "vexfs/vexfs_ioctl.h"

struct rec {
	__u64 id, ino, created;
	__u32 dims, len, live;
	__u16 dtype, comp;
	__u32 cb, cb_crc, cb_m;	/* PQ: the codebook */
	struct vexfs_vec_user_meta meta;
	__u8 data[512];		/* enough for the test vectors */
};

static struct rec *recs;
static size_t nrec;

/* Codebook k is the file $VEXCTL_FAKE.cbK (the blob as added). */
static __u8 *cb_read(const char *store, __u32 k, __u32 *len)
{
	char p[4096];
	FILE *f;
	long sz;
	__u8 *b;

	snprintf(p, sizeof(p), "%s.cb%u", store, k);
	f = fopen(p, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	rewind(f);
	b = malloc(sz);
	*len = fread(b, 1, sz, f);
	fclose(f);
	return b;
}

static __u32 cb_count(const char *store)
{
	__u32 k, len;
	__u8 *b;

	for (k = 1; (b = cb_read(store, k, &len)); k++)
		free(b);
	return k - 1;
}

static __u32 le32(const __u8 *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (__u32)p[3] << 24;
}

static void load(const char *p)
{
	static int loaded;
	FILE *f;
	long sz;

	if (loaded++)
		return;
	f = fopen(p, "rb");
	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	rewind(f);
	recs = malloc(sz + sizeof(struct rec));
	nrec = fread(recs, sizeof(struct rec), sz / sizeof(struct rec), f);
	fclose(f);
}

static void save(const char *p, size_t from)
{
	FILE *f = fopen(p, from ? "ab" : "wb");

	fwrite(recs + from, sizeof(struct rec), nrec - from, f);
	fclose(f);
}

static __u32 raw(__u32 dt, __u32 d)
{
	return dt == 1 ? 4 * d : dt == 2 || dt == 4 ? 2 * d : dt == 3 ? d : (d + 7) / 8;
}

int ioctl(int fd, unsigned long req, ...)
{
	static int (*real)(int, unsigned long, ...);
	const char *store = getenv("VEXCTL_FAKE"), *e = getenv("VEXCTL_FAKE_ERR");
	struct stat st;
	void *arg;
	va_list ap;
	size_t i;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!real)
		real = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
	if (!store || ((req >> 8) & 0xff) != VEXFS_IOC_MAGIC)
		return real(fd, req, arg);
	if (e && *e) {
		errno = atoi(e);
		return -1;
	}
	fstat(fd, &st);
	load(store);
	if (req == VEXFS_IOC_CODEBOOK_ADD) {
		struct vexfs_ioc_codebook_add *a = arg;
		const __u8 *b = (const __u8 *)(unsigned long)a->blob;
		char p[4096];
		FILE *f;

		if (a->size != sizeof(*a) || a->flags || a->id)
			return errno = EINVAL, -1;
		if (getenv("VEXCTL_FAKE_NOADMIN"))
			return errno = EPERM, -1;
		if (a->blob_len < 32)
			return errno = EINVAL, -1;
		/* a light check: magic "VXVQ", kind 3, the size of d dimensions */
		if (memcmp(b, "VXVQ", 4) || b[6] != 3 || !le32(b + 8) ||
		    a->blob_len != 32 + 1024 * le32(b + 8))
			return errno = EINVAL, -1;
		if (cb_count(store) >= 31)
			return errno = ENOSPC, -1;
		a->id = cb_count(store) + 1;
		snprintf(p, sizeof(p), "%s.cb%u", store, a->id);
		f = fopen(p, "wb");
		fwrite(b, 1, a->blob_len, f);
		fclose(f);
		return 0;
	}
	if (req == VEXFS_IOC_CODEBOOK_GET) {
		struct vexfs_ioc_codebook_get *g = arg;
		__u32 len;
		__u8 *b;

		if (g->size != sizeof(*g) || g->flags)
			return errno = EINVAL, -1;
		g->count = cb_count(store);
		g->dims = g->m = g->blob_crc = 0;
		if (!g->id) {
			g->blob_len = 0;
			return 0;
		}
		b = cb_read(store, g->id, &len);
		if (!b)
			return errno = ENOENT, -1;
		g->dims = le32(b + 8);
		g->m = le32(b + 12);
		g->blob_crc = le32(b + 28);
		if (g->blob && g->blob_len < len) {
			g->blob_len = len;
			free(b);
			return errno = ERANGE, -1;
		}
		if (g->blob)
			memcpy((void *)(unsigned long)g->blob, b, len);
		g->blob_len = len;
		free(b);
		return 0;
	}
	if (req == VEXFS_IOC_VEC_STATS) {
		struct vexfs_ioc_stats *s = arg;

		if (s->size != sizeof(*s) || s->flags)
			return errno = EINVAL, -1;
		memset(s, 0, sizeof(*s));
		s->size = sizeof(*s);
		for (i = 0; i < nrec; i++) {
			if (recs[i].live) {
				s->vectors++;
				s->live_bytes += 96 + recs[i].len;
			}
		}
		s->files = s->vectors ? 1 : 0;
		s->alloc_bytes = s->live_bytes ? 4096 : 0;
		s->chunks = s->live_bytes ? 1 : 0;
		s->next_id = nrec + 1;
		s->max_dims = 65536;
		s->max_data = 32768;
		s->block_size = 4096;
		return 0;
	}
	if (req == VEXFS_IOC_SEARCH) {
		/*
		 * Checks what vexctl passes and logs it to $VEXCTL_FAKE.search; the
		 * results of query q are the live vectors in scope in id order, at
		 * distance (first value of q, f32 queries) + rank - 1, then zeros.
		 */
		struct vexfs_ioc_search *a = arg;
		struct vexfs_search_result *res = (void *)(unsigned long)a->results;
		int whole = !S_ISREG(st.st_mode) || (a->flags & VEXFS_SEARCH_FS);
		__u32 qi, n, row = 0;
		char lp[4096];
		FILE *lf;

		if (a->size != sizeof(*a) || (a->flags & ~VEXFS_SEARCH_FLAGS) || a->pad ||
		    !a->nq || a->nq > VEXFS_SEARCH_NQ_MAX || !a->k || a->k > VEXFS_SEARCH_K_MAX ||
		    !a->results || (a->results & 7) ||
		    a->results_len != (__u64)a->nq * a->k * sizeof(*res))
			return errno = EINVAL, -1;
		if (a->flags & VEXFS_SEARCH_LIKE) {
			if (a->nq != 1 || a->queries || a->queries_len || !a->like_id)
				return errno = EINVAL, -1;
		} else {
			row = raw(a->dtype, a->dims);
			if (a->dtype < 1 || a->dtype > 5 || a->dtype == 2 || !a->dims || !a->queries ||
			    a->queries_len != a->nq * row)
				return errno = EINVAL, -1;
		}
		snprintf(lp, sizeof(lp), "%s.search", store);
		lf = fopen(lp, "a");
		fprintf(lf, "nq=%u k=%u dtype=%u metric=%u dims=%u flags=%u comp_mask=0x%x "
			"model=%.16s like=%llu whole=%d\n", a->nq, a->k, a->dtype, a->metric, a->dims,
			a->flags, a->comp_mask, (const char *)a->model, (unsigned long long)a->like_id,
			whole);
		fclose(lf);
		memset(res, 0, a->results_len);
		for (qi = 0; qi < a->nq; qi++) {
			float base = 0;

			if (row && a->dtype == 1)
				memcpy(&base, (const char *)(unsigned long)a->queries + qi * row, 4);
			for (i = 0, n = 0; i < nrec && n < a->k; i++) {
				struct vexfs_search_result *e = &res[qi * a->k + n];
				float d = base + n;

				if (!recs[i].live || (!whole && recs[i].ino != st.st_ino))
					continue;
				e->vector_id = recs[i].id;
				e->inode = recs[i].ino;
				e->generation = 7;
				memcpy(&e->distance, &d, 4);
				n++;
			}
		}
		a->compared = nrec;
		a->corrupt = 0;
		return 0;
	}
	if (!S_ISREG(st.st_mode))
		return errno = ENOTTY, -1;
	if (req == VEXFS_IOC_VEC_ATTACH) {
		struct vexfs_ioc_attach *a = arg;
		const char *max = getenv("VEXCTL_FAKE_MAX");
		struct rec *r;

		__u32 cb = 0, cbl = 0, k;
		__u8 *cbb = NULL;

		if (a->size != sizeof(*a) || a->flags || a->meta.reserved ||
		    (a->compression && a->compression != 3) ||
		    (a->codebook && a->compression != 3) || a->dtype < 1 || a->dtype > 5 ||
		    !a->dims || a->dims > 65536 || a->data_len != raw(a->dtype, a->dims) ||
		    a->data_len > sizeof(r->data) || a->meta.confidence > 1000000)
			return errno = EINVAL, -1;
		if (a->compression == 3) {	/* PQ: the named codebook, or the newest of dims */
			if (a->dtype != 1)
				return errno = EINVAL, -1;
			for (k = cb_count(store); !a->codebook && k; k--) {
				cbb = cb_read(store, k, &cbl);
				if (le32(cbb + 8) == a->dims)
					break;
				free(cbb);
				cbb = NULL;
			}
			if (a->codebook)
				cbb = cb_read(store, k = a->codebook, &cbl);
			if (!cbb)
				return errno = ENOENT, -1;
			if (le32(cbb + 8) != a->dims) {
				free(cbb);
				return errno = EINVAL, -1;
			}
			cb = k;
		}
		if (max && nrec >= strtoul(max, NULL, 10))
			return errno = ENOSPC, -1;
		recs = realloc(recs, (nrec + 1) * sizeof(*recs));
		r = &recs[nrec++];
		memset(r, 0, sizeof(*r));
		if (cb) {
			r->comp = 3;
			r->cb = cb;
			r->cb_m = le32(cbb + 12);
			r->cb_crc = le32(cbb + 28);
			free(cbb);
		}
		r->id = nrec;
		r->ino = st.st_ino;
		r->created = 1700000000123456789ULL;
		r->dims = a->dims;
		r->len = a->data_len;
		r->live = 1;
		r->dtype = a->dtype;
		r->meta = a->meta;
		memcpy(r->data, (void *)(unsigned long)a->data, a->data_len);
		a->vector_id = r->id;
		save(store, nrec - 1);
		return 0;
	}
	if (req == VEXFS_IOC_VEC_GET) {
		struct vexfs_ioc_get *g = arg;
		struct rec *r;

		if (g->size != sizeof(*g) || (g->flags & ~VEXFS_VEC_GET_RAW) || g->pad)
			return errno = EINVAL, -1;
		if (!g->vector_id || g->vector_id > nrec || !recs[g->vector_id - 1].live ||
		    recs[g->vector_id - 1].ino != st.st_ino)
			return errno = ENOENT, -1;
		r = &recs[g->vector_id - 1];
		memset(&g->info, 0, sizeof(g->info));
		g->info.vector_id = r->id;
		g->info.file_inode = r->ino;
		g->info.dtype = r->dtype;
		g->info.dims = r->dims;
		g->info.original_size = r->len;
		g->info.stored_size = r->len;
		g->info.created_ns = r->created;
		g->info.modified_ns = r->created + 1;
		g->info.checksum = 0xdeadbeef;
		g->info.meta = r->meta;
		g->info.compression = r->comp;
		if (r->comp == 3 && (g->flags & VEXFS_VEC_GET_RAW)) {
			/* the stored form: id, blob crc, code j = (3j + id) & 0xff */
			__u8 pq[8 + 512], *o = pq;
			__u32 j;

			memcpy(o, &r->cb, 4);
			memcpy(o + 4, &r->cb_crc, 4);
			for (j = 0; j < r->cb_m; j++)
				o[8 + j] = (__u8)(3 * j + r->id);
			g->info.stored_size = 8 + r->cb_m;
			if (g->data && g->data_len < 8 + r->cb_m) {
				g->data_len = 8 + r->cb_m;
				return errno = ERANGE, -1;
			}
			if (g->data)
				memcpy((void *)(unsigned long)g->data, pq, 8 + r->cb_m);
			g->data_len = 8 + r->cb_m;
			return 0;
		}
		if (r->comp == 3)	/* "decoded": the vector as attached */
			g->info.stored_size = 8 + r->cb_m;
		if (g->data && g->data_len < r->len) {
			g->data_len = r->len;
			return errno = ERANGE, -1;
		}
		if (g->data)
			memcpy((void *)(unsigned long)g->data, r->data, r->len);
		g->data_len = r->len;
		return 0;
	}
	if (req == VEXFS_IOC_VEC_LIST) {
		struct vexfs_ioc_list *l = arg;
		__u64 *ids = (__u64 *)(unsigned long)l->ids;

		if (l->size != sizeof(*l) || l->flags || l->capacity > VEXFS_VEC_LIST_MAX)
			return errno = EINVAL, -1;
		l->count = 0;
		l->next_id = 0;
		l->total = 0;
		for (i = 0; i < nrec; i++) {
			if (!recs[i].live || recs[i].ino != st.st_ino)
				continue;
			l->total++;
			if (recs[i].id < l->start_id || l->next_id)
				continue;
			if (l->count == l->capacity)
				l->next_id = recs[i].id;
			else
				ids[l->count++] = recs[i].id;
		}
		return 0;
	}
	if (req == VEXFS_IOC_VEC_DETACH) {
		struct vexfs_ioc_detach *d = arg;

		if (d->size != sizeof(*d) || d->flags)
			return errno = EINVAL, -1;
		if (!d->vector_id || d->vector_id > nrec || !recs[d->vector_id - 1].live ||
		    recs[d->vector_id - 1].ino != st.st_ino)
			return errno = ENOENT, -1;
		recs[d->vector_id - 1].live = 0;
		save(store, 0);
		return 0;
	}
	return errno = ENOTTY, -1;
}
EOF
if ${CC:-cc} -shared -fPIC -O1 -I"$T/include" -o fake.so fake.c -ldl 2>cc.err; then
	export VEXCTL_FAKE=$W/store
	F=(env LD_PRELOAD="$W/fake.so" "$VEXCTL")
	: >file1
	: >file2

	expect_rc 0 "fake: attach 4 vectors (JSON) with model and confidence" \
		"${F[@]}" attach file1 --vector nested.json --model minilm --model-version 3 \
		--confidence 0.875
	printf '1\n2\n3\n4\n' | cmp -s - "$W/out"
	result $? "fake: attach prints one id per line"
	expect_rc 0 "fake: attach --json" "${F[@]}" attach file1 -v f2_1d.npy --json
	json_is "$W/out" '{"file": "file1", "ids": [5]}'
	result $? "fake: attach --json prints {file, ids}"
	expect_rc 0 "fake: attach bin" "${F[@]}" attach file1 -v b1.npy
	expect_rc 0 "fake: attach i8 to another file" "${F[@]}" attach file2 -v i1_2d.npy
	printf '7\n8\n9\n10\n' | cmp -s - "$W/out"
	result $? "fake: ... ids 7..10"

	expect_rc 0 "fake: list" "${F[@]}" list file1
	printf '1\n2\n3\n4\n5\n6\n' | cmp -s - "$W/out"
	result $? "fake: list prints the file's ids"
	expect_rc 0 "fake: list --json" "${F[@]}" list file2 --json
	json_is "$W/out" '{"file": "file2", "total": 4, "ids": [7, 8, 9, 10]}'
	result $? "fake: list --json prints {file, total, ids}"

	expect_rc 0 "fake: get" "${F[@]}" get file1 2
	grep -q "^id: *2$" "$W/out" && grep -q "^dtype: *f32$" "$W/out" &&
		grep -q "^compression: *none$" "$W/out" && grep -q "^dims: *5$" "$W/out" &&
		grep -q "^created: *2023-11-14T22:13:20.123456789Z$" "$W/out" &&
		grep -q "^modified: *2023-11-14T22:13:20.123456790Z$" "$W/out" &&
		grep -q "^checksum: *0xdeadbeef$" "$W/out" && grep -q "^model: *minilm$" "$W/out" &&
		grep -q "^model version: *3$" "$W/out" && grep -q "^confidence: *0.875000$" "$W/out"
	result $? "fake: get prints the header fields"
	sed -n 's/^vector 1: /values: /p' nested.json.exp >want
	grep "^values:" "$W/out" | sed 's/  */ /' | cmp -s - want
	result $? "fake: get prints the values (%.9g)"
	expect_rc 0 "fake: get --json" "${F[@]}" get file1 2 --json
	python3 - "$W/out" nested.json <<'EOF'
import json, struct, sys
def f32(x):
    return struct.unpack('<f', struct.pack('<f', x))[0]
d = json.load(open(sys.argv[1]))
want = [f32(x) for x in json.load(open(sys.argv[2]))[1]]
assert d['id'] == 2 and d['dims'] == 5 and d['dtype'] == 'f32', d
assert d['compression'] == 'none' and d['original_size'] == 20 and d['stored_size'] == 20, d
assert d['created'] == '2023-11-14T22:13:20.123456789Z', d
assert d['created_ns'] == 1700000000123456789, d
assert d['checksum'] == '0xdeadbeef' and d['model'] == 'minilm', d
assert d['model_version'] == 3 and d['confidence'] == 0.875, d
assert [f32(x) for x in d['values']] == want, (d['values'], want)
EOF
	result $? "fake: get --json"
	expect_rc 0 "fake: get f16" "${F[@]}" get file1 5
	grep "^values:" "$W/out" | sed 's/  */ /' >got
	sed -n 's/^vector 0: /values: /p' f2_1d.npy.exp | cmp -s - got
	result $? "fake: f16 values printed as floats"
	expect_rc 0 "fake: get bin" "${F[@]}" get file1 6
	grep -q "^values: *10110000111$" "$W/out"
	result $? "fake: bin values printed as a bit string"

	for ext in npy fvecs txt json; do
		expect_rc 0 "fake: get --out .$ext" "${F[@]}" get file1 3 --out out3.$ext
		run "$VEXCTL" parse out3.$ext
		grep "^vector" "$W/out" | sed 's/^vector 0: //' >got
		sed -n 's/^vector 2: //p' nested.json.exp | cmp -s - got
		result $? "fake: --out .$ext parses back to the same values"
	done
	expect_rc 0 "fake: get i8 --out .npy" "${F[@]}" get file2 8 --out out8.npy
	run "$VEXCTL" parse out8.npy
	grep -q "^dtype: i8$" "$W/out" && grep "^vector" "$W/out" | sed 's/^vector 0: //' >got &&
		sed -n 's/^vector 1: //p' i1_2d.npy.exp | cmp -s - got
	result $? "fake: i8 --out .npy keeps the data type and values"
	expect_rc 0 "fake: get bin --out .npy" "${F[@]}" get file1 6 --out out6.npy
	run "$VEXCTL" parse out6.npy
	grep -q "^vector 0: 10110000111$" "$W/out"
	result $? "fake: bin --out .npy round trip"
	expect_fail 1 "cannot tell the output format" "fake: --out with an unknown extension" \
		"${F[@]}" get file1 3 --out out3.bin

	expect_fail 1 "file1: vector 9: no vector with id 9 on this file \(ENOENT\)" \
		"fake: get another file's vector" "${F[@]}" get file1 9
	expect_rc 0 "fake: detach 2 and 4" "${F[@]}" detach file1 2 4
	expect_rc 0 "fake: list after detach" "${F[@]}" list file1
	printf '1\n3\n5\n6\n' | cmp -s - "$W/out"
	result $? "fake: detached ids are gone"
	expect_fail 1 "vector 2: no vector with id 2 on this file" \
		"fake: detach twice: ENOENT, exit 1" "${F[@]}" detach file1 2

	# more than one LIST page (1024 ids each)
	python3 -c '
import struct
with open("many.fvecs", "wb") as f:
    for i in range(2500):
        f.write(struct.pack("<i2f", 2, i, -i))' &&
	run "${F[@]}" attach file2 -v many.fvecs
	[ "$RC" = 0 ] && [ "$(wc -l <"$W/out")" = 2500 ]
	result $? "fake: attach 2500 vectors from one fvecs"
	expect_rc 0 "fake: list 2504 ids (3 pages)" "${F[@]}" list file2 --json
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["total"] == 2504 and d["ids"] == [7, 8, 9, 10] + list(range(11, 2511)), d["total"]' \
		"$W/out"
	result $? "fake: list pages through next_id"

	expect_rc 0 "fake: stats" "${F[@]}" stats "$W"
	grep -q "^vectors: *2508$" "$W/out" && grep -q "^block size: *4096$" "$W/out" &&
		grep -q "^allocated/live: *0.0" "$W/out"
	result $? "fake: stats fields and ratio"
	expect_rc 0 "fake: stats --json" "${F[@]}" stats file1 --json
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["vectors"] == 2508 and d["max_dims"] == 65536 and d["max_data"] == 32768, d
assert abs(d["ratio"] - d["alloc_bytes"] / d["live_bytes"]) < 1e-3, d' "$W/out"
	result $? "fake: stats --json"

	# the kernel's errors, as vexctl explains them
	while read -r err pat; do
		expect_fail 1 "$pat" "fake: errno $err explained" \
			env VEXCTL_FAKE_ERR=$err "${F[@]}" get file1 1
	done <<'EOF'
117 corrupt vector record \(run fsck.vexfs\)
95 operation not supported \(EOPNOTSUPP\)
7 E2BIG: ioctl structure size mismatch
9 file not open for reading \(EBADF\)
22 invalid request \(EINVAL\)
5 EIO
EOF
	while read -r err pat; do
		expect_fail 1 "$pat" "fake: attach errno $err explained" \
			env VEXCTL_FAKE_ERR=$err "${F[@]}" attach file1 -v f4_1d.npy
	done <<'EOF'
28 no space for the vector \(ENOSPC\)
30 read-only filesystem \(EROFS\)
22 the kernel rejected the vector \(EINVAL
1 EPERM: immutable or append-only
EOF
	# a failure after some vectors were attached says which and how many
	python3 -c '
import struct
with open("two.fvecs", "wb") as f:
    f.write(struct.pack("<i2f", 2, 1, 2) + struct.pack("<i2f", 2, 3, 4))'
	run env VEXCTL_FAKE_MAX=2511 "${F[@]}" attach file1 -v two.fvecs
	[ "$RC" = 1 ] && [ "$(cat "$W/out")" = 2511 ] &&
		grep -q "file1: vector 1 of 2 from two.fvecs: no space" "$W/err" &&
		grep -q "1 vector was attached before the error" "$W/err"
	result $? "fake: ENOSPC on the 2nd of 2 vectors: id of the 1st printed, error says so"
	# PQ codebooks: add, list, get (the same bytes back), train and install, PQ attach
	expect_rc 0 "fake: codebook add" "${F[@]}" codebook add file1 cb1.blob
	[ "$(cat "$W/out")" = 1 ]
	result $? "fake: codebook add prints id 1"
	crc1=$(blob_ok cb1.blob 16 2 crc)
	expect_rc 0 "fake: codebook add --json (on a directory)" \
		"${F[@]}" codebook add "$W" n8.blob --json
	crc8=$(blob_ok n8.blob 8 1 crc)
	json_is "$W/out" "{'path': '$W', 'blob': 'n8.blob', 'id': 2, 'dims': 8, 'm': 1, 'blob_crc': '$crc8', 'bytes': 8224}"
	result $? "fake: codebook add --json"
	expect_rc 0 "fake: codebooks" "${F[@]}" codebooks file1
	printf '%-3s %6s %6s  %-10s  %9s\n' id dims m "blob crc" bytes >want
	printf '%-3u %6u %6u  %s  %9u\n' 1 16 2 "$crc1" 16416 2 8 1 "$crc8" 8224 >>want
	cmp -s want "$W/out"
	result $? "fake: codebooks prints a table"
	expect_rc 0 "fake: codebook list --json" "${F[@]}" codebook list file1 --json
	json_is "$W/out" "{'path': 'file1', 'count': 2, 'codebooks': [{'id': 1, 'dims': 16, 'm': 2, 'blob_crc': '$crc1', 'bytes': 16416}, {'id': 2, 'dims': 8, 'm': 1, 'blob_crc': '$crc8', 'bytes': 8224}]}"
	result $? "fake: codebook list --json"
	expect_rc 0 "fake: codebook get --out" "${F[@]}" codebook get file1 1 --out got1.blob
	cmp -s cb1.blob got1.blob && grep -q "^dims: *16$" "$W/out" && grep -q "^m: *2$" "$W/out" &&
		grep -q "^blob crc: *$crc1$" "$W/out" && grep -q "^bytes: *16416$" "$W/out" &&
		grep -q "^written to: *got1.blob$" "$W/out"
	result $? "fake: codebook get --out writes the blob as added"
	expect_rc 0 "fake: codebook get --json" "${F[@]}" codebook get file1 2 --json
	json_is "$W/out" "{'path': 'file1', 'id': 2, 'dims': 8, 'm': 1, 'blob_crc': '$crc8', 'bytes': 8224, 'out': None}"
	result $? "fake: codebook get --json"
	expect_fail 1 "file1: codebook 3: no codebook with id 3 \(ENOENT\)" \
		"fake: codebook get of an unknown id" "${F[@]}" codebook get file1 3
	expect_rc 0 "fake: train and install" \
		"${F[@]}" train file1 -v train.fvecs --seed 7 -o t3.blob
	[ "$(cat "$W/out")" = 3 ] && cmp -s t3.blob cb3.blob
	result $? "fake: train prints id 3; --out is the same codebook as without a filesystem"
	run "${F[@]}" codebook get file1 3 --out got3.blob
	cmp -s got3.blob cb3.blob
	result $? "fake: the installed blob is the trained one"
	expect_rc 0 "fake: train --json" "${F[@]}" train file1 -v train8.npy --json
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))
assert d["id"] == 4 and d["out"] is None and d["dims"] == 8 and d["m"] == 1, d' "$W/out"
	result $? "fake: train --json names the new id"
	expect_fail 1 "file1: operation not permitted \(EPERM: installing a codebook needs CAP_SYS_ADMIN\)" \
		"fake: train without CAP_SYS_ADMIN fails before training" \
		env VEXCTL_FAKE_NOADMIN=1 "${F[@]}" train file1 -v train.fvecs -o noadmin.blob
	[ ! -e noadmin.blob ]
	result $? "fake: ... and writes no blob"

	expect_rc 0 "fake: attach --compress pq (newest codebook of d 16)" \
		"${F[@]}" attach file1 -v pq16.fvecs --compress pq
	pqid=$(head -1 "$W/out")
	expect_rc 0 "fake: get a PQ vector (decoded by the kernel)" "${F[@]}" get file1 "$pqid"
	grep -q "^compression: *pq$" "$W/out" && grep -q "^stored size: *10 bytes$" "$W/out" &&
		grep "^values:" "$W/out" | sed 's/^values: *//' >got &&
		"$VEXCTL" parse pq16.fvecs | sed -n 's/^vector 0: //p' | cmp -s - got
	result $? "fake: get of a PQ vector prints its float32 values"
	expect_rc 0 "fake: get --raw of a PQ vector" "${F[@]}" get file1 "$pqid" --raw
	c0=$((pqid & 255)) c1=$(((3 + pqid) & 255))
	grep -q "^codebook: *3 (blob crc $(blob_ok cb3.blob 16 2 crc))$" "$W/out" &&
		grep -q "^codes: *$c0 $c1$" "$W/out" && ! grep -q "^values:" "$W/out"
	result $? "fake: get --raw prints the codebook id, its CRC and the codes"
	expect_rc 0 "fake: get --raw --json of a PQ vector" "${F[@]}" get file1 "$pqid" --raw --json
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))
assert d["compression"] == "pq" and d["codebook"] == 3 and d["stored_size"] == 10, d
assert d["codes"] == [int(sys.argv[2]), int(sys.argv[3])] and "values" not in d, d' \
		"$W/out" "$c0" "$c1"
	result $? "fake: get --raw --json: codebook and codes"
	expect_fail 1 "stored pq-compressed and cannot be decoded here \(without --raw" \
		"fake: get --raw --out of a PQ vector" "${F[@]}" get file1 "$pqid" --raw --out x.npy
	expect_rc 0 "fake: get --out of a PQ vector (decoded)" "${F[@]}" get file1 "$pqid" --out pq.npy
	run "$VEXCTL" parse pq.npy
	grep -q "^d: 16$" "$W/out"
	result $? "fake: ... writes float32 values"
	expect_rc 0 "fake: attach --compress pq --codebook 1" \
		"${F[@]}" attach file1 -v pq16.fvecs --compress pq --codebook 1
	run "${F[@]}" get file1 "$(head -1 "$W/out")" --raw
	grep -q "^codebook: *1 (blob crc $crc1)$" "$W/out"
	result $? "fake: --codebook names the codebook"
	expect_fail 1 "file1: no PQ codebook with id 9 \(ENOENT\): see 'vexctl codebooks'" \
		"fake: attach --codebook of an unknown id" \
		"${F[@]}" attach file1 -v pq16.fvecs --compress pq --codebook 9
	expect_fail 1 "no PQ codebook for vectors of these dimensions \(ENOENT\): install one with 'vexctl train'" \
		"fake: attach pq without a codebook of the vectors' dims" \
		"${F[@]}" attach file1 -v f4_1d.npy --compress pq
	expect_fail 1 "the kernel rejected the vector \(EINVAL: .*PQ codebook must have the vector's dimensions" \
		"fake: attach pq with a codebook of other dims" \
		"${F[@]}" attach file1 -v f4_1d.npy --compress pq --codebook 1

	# the kernel's codebook errors, as vexctl explains them
	while read -r err pat; do
		expect_fail 1 "$pat" "fake: codebook add errno $err explained" \
			env VEXCTL_FAKE_ERR=$err "${F[@]}" codebook add file1 cb1.blob
	done <<'EOF'
1 EPERM: installing a codebook needs CAP_SYS_ADMIN
27 too large for one journal transaction \(EFBIG\).*mkfs.vexfs -J
28 no room for the codebook \(ENOSPC\): the filesystem has the maximum 31 codebooks
22 the kernel rejected the codebook \(EINVAL: not a valid PQ codebook
95 \(EOPNOTSUPP\): the filesystem has no vector store, or the blob's format version
30 read-only filesystem \(EROFS\)
117 corrupt codebook \(run fsck.vexfs\)
EOF
	expect_fail 1 "file1: codebook 1: corrupt codebook \(run fsck.vexfs\)" \
		"fake: codebook get EUCLEAN explained" \
		env VEXCTL_FAKE_ERR=117 "${F[@]}" codebook get file1 1
	# 31 codebooks at most
	for i in $(seq 5 31); do
		run "${F[@]}" codebook add file1 n8.blob
	done
	[ "$(cat "$W/out")" = 31 ]
	result $? "fake: 31 codebooks installed"
	expect_fail 1 "file1: the filesystem already has the maximum 31 codebooks" \
		"fake: train refuses a 32nd codebook before training" \
		"${F[@]}" train file1 -v train.fvecs
	expect_fail 1 "maximum 31 codebooks" "fake: codebook add of a 32nd: ENOSPC explained" \
		"${F[@]}" codebook add file1 cb1.blob
	# search: what vexctl passes (the fake checks and logs it), batches split
	# in calls of 256 queries, the output; a store of its own
	SF=(env VEXCTL_FAKE=$W/sstore LD_PRELOAD="$W/fake.so" "$VEXCTL")
	: >sfile
	: >sother
	python3 - <<'PY'
import struct
d = 3
hdr = "{'descr': '<f4', 'fortran_order': False, 'shape': (300, %d), }" % d
hdr += ' ' * (63 - (10 + len(hdr)) % 64) + '\n'
with open('q300.npy', 'wb') as f:
    f.write(b'\x93NUMPY\x01\x00' + struct.pack('<H', len(hdr)) + hdr.encode())
    for i in range(300):
        f.write(struct.pack('<3f', i, 0, 0))
open('q1.txt', 'w').write('2.5 0 0\n')
PY
	expect_rc 0 "fake search: 3 vectors on sfile" "${SF[@]}" attach sfile -v vecs.txt
	expect_rc 0 "fake search: 3 on sother" "${SF[@]}" attach sother -v vecs.txt
	sino=$(stat -c %i sfile)
	expect_rc 0 "fake search: one query, file scope" "${SF[@]}" search sfile -v q1.txt -k 10
	[ "$(wc -l <"$W/out")" = 4 ] &&
		[ "$(awk 'NR == 2 {print $1, $2, $3, $4, $5}' "$W/out")" = "1 2.5 1 $sino sfile" ] &&
		[ "$(awk 'NR == 4 {print $1, $2, $3}' "$W/out")" = "3 4.5 3" ] &&
		head -1 "$W/out" | grep -q '^rank  *distance  *id  *inode  *path'
	result $? "fake search: header, then rank, distance, id, inode, path; zero entries not shown"
	[ "$(tail -1 sstore.search)" = "nq=1 k=10 dtype=1 metric=0 dims=3 flags=0 comp_mask=0x0 model= like=0 whole=0" ]
	result $? "fake search: the call (f32, 3 dims, l2, k 10, file scope)"
	expect_rc 0 "fake search: a batch of 300 queries" "${SF[@]}" search sfile -v q300.npy -k 2 --json
	[ "$(tail -2 sstore.search | cut -d' ' -f1 | tr '\n' ' ')" = "nq=256 nq=44 " ]
	result $? "fake search: 300 queries in two calls (256 + 44)"
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
q = d["queries"]
assert d["nq"] == 300 and len(q) == 300 and all(len(r) == 2 for r in q), d["nq"]
assert q[299][0]["distance"] == 299 and q[256][1]["distance"] == 257 and q[0][1]["distance"] == 1
assert q[299][1]["bits"] == "0x43960000" and q[7][0]["id"] == 1 and q[7][1]["id"] == 2
assert q[5][0]["path"] == "sfile" and q[5][0]["generation"] == 7 and d["scope"] == "file"
assert d["metric"] == "l2" and d["k"] == 2 and d["dims"] == 3 and d["dtype"] == "f32"
assert d["compared"] == 12 and d["corrupt"] == 0 and d["reference"] is False' "$W/out"
	result $? "fake search --json: every query in order, distance and bits, id, path, counts"
	expect_rc 0 "fake search: --metric cos --model --compress" \
		"${SF[@]}" search sfile -v q1.txt -M cos -m mini -z sq8,pq -k 5
	[ "$(tail -1 sstore.search)" = "nq=1 k=5 dtype=1 metric=2 dims=3 flags=0 comp_mask=0xa model=mini like=0 whole=0" ]
	result $? "fake search: metric 2, comp_mask bits of sq8 and pq, the model"
	grep -q '^rank  *score ' "$W/out"
	result $? "fake search: cos results are scores"
	expect_rc 0 "fake search --like FILE --id 2" "${SF[@]}" search sfile --like sfile --id 2 --json
	[ "$(tail -1 sstore.search)" = "nq=1 k=10 dtype=0 metric=0 dims=0 flags=2 comp_mask=0x0 model= like=2 whole=0" ]
	result $? "fake search --like: flag LIKE, the id, no queries"
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1])); assert d["like"] == 2 and d["nq"] == 1 and d["dims"] == 3' "$W/out"
	result $? "fake search --like --json: like, nq 1, the vector's dims"
	expect_rc 0 "fake search --like FILE: its first vector" "${SF[@]}" search sfile --like sother
	[ "$(tail -1 sstore.search | cut -d' ' -f9)" = "like=4" ]
	result $? "fake search --like sother: vector 4"
	expect_rc 0 "fake search --fs --no-paths" "${SF[@]}" search sfile --fs --no-paths -v q1.txt
	[ "$(wc -l <"$W/out")" = 7 ] && [ "$(tail -1 sstore.search | cut -d' ' -f6,10)" = "flags=1 whole=1" ]
	result $? "fake search --fs: the whole (fake) filesystem, flag FS"
	expect_fail 1 "sfile: invalid search \(EINVAL" "fake search: EINVAL explained" \
		env VEXCTL_FAKE_ERR=22 "${SF[@]}" search sfile -v q1.txt
	expect_fail 1 "no parent pointers.*\(EOPNOTSUPP.*--fs searches the whole filesystem" \
		"fake search: EOPNOTSUPP on a directory explained" \
		env VEXCTL_FAKE_ERR=95 "${SF[@]}" search . -v q1.txt
	expect_fail 1 "sfile: bad address \(EFAULT\)" "fake search: EFAULT" \
		env VEXCTL_FAKE_ERR=14 "${SF[@]}" search sfile -v q1.txt

	unset VEXCTL_FAKE
	expect_fail 1 "not a VexFS file" "fake off: ENOTTY again" "$VEXCTL" list file1
else
	sed 's/^/#   /' cc.err | head -5
	echo "# cannot build the fake ioctl library: attach/get/list/detach cases skipped"
fi

# ---- import / export: what is refused before any call ---------------------------
mkdir -p imp
python3 -c 'import struct
d, n = 4, 3
h = "{\x27descr\x27: \x27<f4\x27, \x27fortran_order\x27: False, \x27shape\x27: (%d, %d), }" % (n, d)
h += " " * ((64 - (10 + len(h) + 1) % 64) % 64) + "\n"
open("imp3.npy", "wb").write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode() +
                             struct.pack("<%df" % (n * d), *range(n * d)))'
printf 'a\nb/c\nb/c\n' >imp3.paths
printf 'a\nb\n' >imp2.paths
printf 'a\n/etc/passwd\nb\n' >impabs.paths
printf 'a\nb/../../x\nc\n' >impdot.paths
printf 'a\n\nc\n' >impempty.paths
expect_fail 2 "--vectors FILE and --paths LIST are required" "import without --paths: usage error" \
	"$VEXCTL" import imp -v imp3.npy
expect_fail 1 "imp2.paths: 2 paths for 3 rows" "import: fewer paths than rows" \
	"$VEXCTL" import imp -v imp3.npy -p imp2.paths
expect_fail 1 "line 2: '/etc/passwd' is absolute" "import: an absolute path" \
	"$VEXCTL" import imp -v imp3.npy -p impabs.paths
expect_fail 1 "line 2: 'b/../../x' holds '..'" "import: a path with .." \
	"$VEXCTL" import imp -v imp3.npy -p impdot.paths
expect_fail 1 "line 2: an empty path" "import: an empty line" \
	"$VEXCTL" import imp -v imp3.npy -p impempty.paths
expect_fail 1 "sq8 compression takes f32 vectors" "import: --compress sq8 of i8 rows" \
	"$VEXCTL" import imp -v imp3.npy -p imp3.paths -t i8 -z sq8
[ -z "$(ls imp)" ]
result $? "import: nothing created by the refused imports"
expect_fail 1 "row 0 \(imp/a\): not a VexFS file" "import on another filesystem: row 0, ENOTTY" \
	"$VEXCTL" import imp -v imp3.npy -p imp3.paths
[ -z "$(ls imp)" ] && grep -q "undone" "$W/err"
result $? "import on another filesystem: the file it created is removed again"
expect_fail 2 "must name a .npy or .fvecs" "export --out x.csv: usage error" \
	"$VEXCTL" export imp --out x.csv
echo x >imp/plain
expect_fail 1 "imp/plain: not a VexFS file" "export on another filesystem: ENOTTY" \
	"$VEXCTL" export imp --out exp.npy --paths exp.paths
[ ! -e exp.npy ] && [ ! -e exp.paths ] && [ -z "$(ls . | grep '^exp\.')" ]
result $? "export that failed leaves no file"
"$VEXCTL" --help | grep -q "^  import DIR" && "$VEXCTL" help import | grep -q -- "--no-create"
result $? "import and export in the help"

echo "# vtest: $PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
