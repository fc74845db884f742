#!/usr/bin/env python3
"""bench/search-injob.sh's tables. First, per path and size, each job's default and exhaustive
choices and the default's median over the exhaustive's for each adjacent pair of runs (def1
beside exh1, def2 beside exh2), then the median of those ratios over all jobs. Second, each
choice scored by the exhaustive searches of the same job: its candidate median there over that
search's best (1 where it is the best), for the default's choices and, as the yardstick, for
each exhaustive search's choice in the other exhaustive search."""
import statistics
import sys

from reports import reports


def results(rep):
    """{(run, path, size): (setting, median)} of one job's report."""
    out = {}
    for r in rep.get('results', []):
        if r.get('pattern') != 'bw' or r.get('status') != 'ok':
            continue
        out[(r.get('run', '').split('-')[0], r['path'], r['size'])] = (
            f"{r['chunk'] >> 10}K/{r['depth']}", r['stats']['median'],
            {f"{c['chunk'] >> 10}K/{c['depth']}": c['median'] for c in r.get('auto_candidates', [])})
    return out


def scores(jobs, p, s):
    """{'def': [...], 'exh': [...]}: each choice's candidate median in the job's other exhaustive
    searches over their best."""
    out = {'def': [], 'exh': []}
    for _, res in jobs:
        for run in ('def1', 'def2', 'exh1', 'exh2'):
            mine = res.get((run, p, s))
            for e in ('exh1', 'exh2'):
                other = res.get((e, p, s))
                if e == run or not mine or not other or mine[0] not in other[2]:
                    continue
                out[run[:3]].append(other[2][mine[0]] / max(other[2].values()))
    return out


def size_name(b):
    return f'{b >> 20}M' if b >= 1 << 20 else f'{b >> 10}K'


def main(d):
    jobs = [(name, results(rep)) for name, rep in reports(d, 'job*.json')]
    keys = sorted({(p, s) for _, res in jobs for (_, p, s) in res})
    print(f"{'path':<17}{'size':>5}  {'job':<5} {'default (2 runs)':<20} {'exhaustive (2 runs)':<20} "
          'default/exhaustive')
    for p, s in keys:
        ratios = []
        for name, res in jobs:
            pair = []
            for i in (1, 2):
                dv, ev = res.get((f'def{i}', p, s)), res.get((f'exh{i}', p, s))
                if dv and ev:
                    pair.append((dv, ev, dv[1] / ev[1]))
            if not pair:
                continue
            ratios += [x[2] for x in pair]
            print(f'{p:<17}{size_name(s):>5}  {name:<5} '
                  f"{' '.join(x[0][0] for x in pair):<20} {' '.join(x[1][0] for x in pair):<20} "
                  + ' '.join(f'{x[2]:.3f}' for x in pair))
        if ratios:
            print(f"{p:<17}{size_name(s):>5}  median of {len(ratios)}: {statistics.median(ratios):.3f}"
                  f"  (min {min(ratios):.3f}, max {max(ratios):.3f})")


    print('\nEach choice scored by the exhaustive searches of its job (candidate median over the best)')
    print(f"{'path':<17}{'size':>5}  {'default: n median min':<26}exhaustive in the other: n median min")
    for p, s in keys:
        sc = scores(jobs, p, s)
        cell = {k: (f'{len(v):>2} {statistics.median(v):.3f} {min(v):.3f}' if v else ' -') for k, v in sc.items()}
        print(f"{p:<17}{size_name(s):>5}  {cell['def']:<26}{cell['exh']}")


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else '.')
