#!/usr/bin/env python3
"""bench/um-state.sh's table: per job, unified-prefetch at 1M, each default-search candidate's
median (GB/s) and the chosen setting, from the reports DIR/COND-ROUND.json."""
import sys

from reports import reports


def main(d):
    rows = []
    for name, rep in reports(d, '*-[0-9]*.json'):
        for r in rep.get('results', []):
            if (r.get('path') == 'unified-prefetch' and r.get('pattern') == 'bw'
                    and r.get('size') == 1 << 20 and r.get('status') == 'ok'):
                c = {f"{x['chunk'] >> 10}K/{x['depth']}": x['median']
                     for x in r.get('auto_candidates', [])}
                rows.append((name, c, r['chunk'] >> 10, r['depth'], r['stats']['median']))
    keys = []
    for _, c, *_ in rows:
        keys += [k for k in c if k not in keys]
    print(f"{'job':<16}" + ''.join(f'{k:>9}' for k in keys) + '   chosen   GB/s')
    for name, c, ch, dp, med in rows:
        print(f'{name:<16}' + ''.join(f"{c[k]:9.3f}" if k in c else f"{'-':>9}" for k in keys)
              + f'   {ch}K/{dp:<3} {med:.3f}')


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else '.')
