# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Test-case reporting for the Python VM test drivers (tests/vm/*.py).

ck() prints "ok N - ..." / "not ok N - ...: detail"; finish() prints the
closing "# vtest: P passed, F failed" line that tests/vm/lib.sh's vtest sums
and exits non-zero when a case failed.
"""
import sys

_n = {"pass": 0, "fail": 0}


def ck(cond, desc, detail=""):
    if cond:
        _n["pass"] += 1
        print("ok %d - %s" % (_n["pass"] + _n["fail"], desc))
    else:
        _n["fail"] += 1
        print("not ok %d - %s: %s" % (_n["pass"] + _n["fail"], desc, detail))
    sys.stdout.flush()
    return cond


def finish():
    print("# vtest: %d passed, %d failed" % (_n["pass"], _n["fail"]))
    sys.exit(0 if _n["fail"] == 0 else 1)
