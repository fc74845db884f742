# ReFrame (>= 4) test of gpuxfer on this machine: 2 ranks, the host path, latency at 8 B and
# bandwidth at 1 MiB; the performance figures come from gpuxfer's JSON report.
#
#   GPUXFER=/path/to/gpuxfer reframe -C tests/reframe/settings.py \
#       -c tests/reframe/gpuxfer_check.py -r
#
# GPUXFER: the gpuxfer to run (default: gpuxfer on PATH); GPUXFER_OPTS: more of its options
# (e.g. "--iters 20"); GPUXFER_LAUNCHER_OPTS: mpirun's own options (e.g. "--oversubscribe
# --bind-to none"); both split at spaces. The references are lower
# bounds only (any positive figure passes: CI machines are shared); a site puts its own values
# and thresholds in `reference`, e.g. {'cluster:gpu': {'latency_8B': (1.5, None, 0.2, 'us')}}.
import json
import os

import reframe as rfm
import reframe.utility.sanity as sn
from reframe.core.builtins import performance_function, run_before, sanity_function


@rfm.simple_test
class gpuxfer_host_check(rfm.RunOnlyRegressionTest):
    descr = 'gpuxfer: host-path latency and bandwidth between 2 ranks'
    valid_systems = ['*']
    valid_prog_environs = ['*']
    sourcesdir = None
    executable = os.environ.get('GPUXFER', 'gpuxfer')
    executable_opts = (['--path', 'host', '--pattern', 'latency,bw', '--sizes', '8,1M',
                        '--quiet', '--output', 'report.json'] +
                       os.environ.get('GPUXFER_OPTS', '').split())
    num_tasks = 2
    num_tasks_per_node = 2
    time_limit = '10m'
    reference = {
        '*': {
            'latency_8B': (0, 0, None, 'us'),   # (value, lower, upper, unit): >= 0
            'bw_1M': (0, 0, None, 'GB/s'),
        }
    }
    tags = {'gpuxfer', 'host'}

    @run_before('run')
    def set_launcher_options(self):
        self.job.launcher.options = os.environ.get('GPUXFER_LAUNCHER_OPTS', '').split()

    def report(self):
        with open(os.path.join(self.stagedir, 'report.json')) as f:
            return json.load(f)

    def median(self, pattern, size):
        '''The median of the host path's result for pattern and size (bytes).'''
        for r in self.report()['results']:
            if (r['path'] == 'host' and r['pattern'] == pattern and r['size'] == size
                    and r['status'] == 'ok'):
                return r['stats']['median']
        raise ValueError(f'report.json: no ok host {pattern} result at {size} B')

    @sanity_function
    def report_complete(self):
        rep = self.report()
        return sn.all([sn.assert_eq(rep['status'], 'complete'),
                       sn.assert_eq(rep['exit_code'], 0),
                       sn.assert_eq(len(rep['results']), 4)])

    @performance_function('us')
    def latency_8B(self):
        return self.median('latency', 8)

    @performance_function('GB/s')
    def bw_1M(self):
        return self.median('bw', 1 << 20)
