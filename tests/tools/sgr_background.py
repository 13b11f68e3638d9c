#!/usr/bin/env python3
"""sgr_background.py — the background colour a text is drawn on, from a
screen captured with its escapes (`tmux capture-pane -p -e`), so a suite
can check that a warning is red and not just present.

    sgr_background.py FILE TEXT COLOUR...

Exit 0 when the first line holding TEXT draws it on one of the COLOURs
(0-255: 1 red, 9 bright red), 1 otherwise, saying what it found."""
import re
import sys


def background_at(line, col):
    bg = None
    for m in re.finditer(r'\x1b\[([0-9;]*)m', line[:col]):
        ps = [int(x) if x else 0 for x in m.group(1).split(';')]
        k = 0
        while k < len(ps):
            p = ps[k]
            if p in (0, 49):
                bg = None
            elif 40 <= p <= 47:
                bg = p - 40
            elif 100 <= p <= 107:
                bg = p - 100 + 8
            elif p == 48 and k + 2 < len(ps) and ps[k + 1] == 5:
                bg, k = ps[k + 2], k + 2
            elif p in (38, 48) and k + 1 < len(ps) and ps[k + 1] == 2:
                k += 4          # 24-bit colour: not one of the 256
            elif p == 38 and k + 2 < len(ps) and ps[k + 1] == 5:
                k += 2
            k += 1
    return bg


def main():
    path, text, colours = sys.argv[1], sys.argv[2], {int(c) for c in sys.argv[3:]}
    for line in open(path, encoding='utf-8', errors='replace'):
        col = line.find(text)
        if col >= 0:
            bg = background_at(line, col)
            if bg in colours:
                return 0
            print(f"'{text}' is drawn on background {bg}, not {sorted(colours)}")
            return 1
    print(f"'{text}' is not on the screen")
    return 1


if __name__ == '__main__':
    sys.exit(main())
