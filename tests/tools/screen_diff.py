#!/usr/bin/env python3
"""screen_diff.py — two tmux captures of the same size compared cell for
cell, apart from regions masked on the command line: the replay fidelity
test's judge (tests/tui/test_replay.sh).

  screen_diff.py A B [--mask ROW:COL0-COL1] [--mask-from TEXT] [--mask-text TEXT]
                     [--mask-rows TEXT:N] ...

ROW and COL are 0-based; a negative ROW counts from the bottom; COL1 may be
empty (to the end of the row). --mask-from masks the row where TEXT first
shows on A from TEXT's column on; --mask-text masks only TEXT's own cells
there (on B, whatever stands in them); --mask-rows masks N whole rows from the
row where TEXT first shows on A. Prints each differing row of both screens
with a ^ under the first differing cell; exit 0 when the same, 1 when not."""
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def main(argv):
    a, b = load(argv[1]), load(argv[2])
    masks = []
    args = argv[3:]
    def find(text):
        for y, line in enumerate(a):
            if text in line:
                return y, line.index(text)
        print(f"not on the first screen: {text}", file=sys.stderr)
        sys.exit(2)

    while args:
        if len(args) < 2 or args[0] not in ("--mask", "--mask-from", "--mask-text", "--mask-rows"):
            print(__doc__, file=sys.stderr)
            return 2
        if args[0] == "--mask":
            row, cols = args[1].split(":")
            c0, c1 = cols.split("-")
            masks.append((int(row), int(c0), int(c1) if c1 else 10**6))
        elif args[0] == "--mask-from":
            y, x = find(args[1])
            masks.append((y, x, 10**6))
        elif args[0] == "--mask-text":
            y, x = find(args[1])
            masks.append((y, x, x + len(args[1])))
        else:
            text, rows = args[1].rsplit(":", 1)
            y, _ = find(text)
            masks += [(y + i, 0, 10**6) for i in range(int(rows))]
        args = args[2:]
    n = max(len(a), len(b))
    a += [""] * (n - len(a))
    b += [""] * (n - len(b))

    def masked(lines):
        out = []
        for y, line in enumerate(lines):
            cells = list(line.ljust(400))
            for row, c0, c1 in masks:
                if row == y or (row < 0 and n + row == y):
                    for x in range(c0, min(c1, len(cells))):
                        cells[x] = "·"
            out.append("".join(cells).rstrip())
        return out

    ma, mb = masked(a), masked(b)
    bad = 0
    for y in range(n):
        if ma[y] != mb[y]:
            bad += 1
            x = next((i for i, (p, q) in enumerate(zip(ma[y], mb[y])) if p != q),
                     min(len(ma[y]), len(mb[y])))
            print(f"row {y}, column {x}:\n  live:   {ma[y]}\n  replay: {mb[y]}\n          {' ' * x}^")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
