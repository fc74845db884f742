#!/usr/bin/env python3
"""bench/search-ab.sh um-oldnew's and um64m's table: unified-prefetch's median (GB/s) and setting
per size in each job of DIR/um-{old,new}N.json and DIR/um64m-{old,new}N.json, and per size the
median over each build's jobs."""
import statistics
import sys

from reports import reports


def main(d):
    rows = {}
    for name, rep in reports(d, 'um*-*[0-9].json'):
        name = name.split('-', 1)[1]
        for r in rep.get('results', []):
            if r.get('path') == 'unified-prefetch' and r.get('status') == 'ok':
                rows.setdefault(r['size'], {})[name] = (r['stats']['median'],
                                                        f"{r['chunk'] >> 10}K/{r['depth']}")
    for size in sorted(rows):
        jobs = rows[size]
        line = f'{size >> 10:>6}K  ' + '  '.join(f'{n} {m:.4g} ({c})' for n, (m, c) in sorted(jobs.items()))
        med = {b: statistics.median([m for n, (m, _) in jobs.items() if n.startswith(b)] or [0])
               for b in ('old', 'new')}
        ratio = med['new'] / med['old'] if med['old'] else float('nan')
        print(line + f"   median old {med['old']:.4g} new {med['new']:.4g} new/old {ratio:.3f}")


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else '.')
