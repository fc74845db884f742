# ReFrame (>= 4) configuration for tests/reframe/gpuxfer_check.py: this machine as system
# 'local', its jobs run at once (scheduler 'local') under mpirun; no modules. tests/reframe.sh
# runs it:  reframe -C tests/reframe/settings.py -c tests/reframe/gpuxfer_check.py -r
site_configuration = {
    'systems': [
        {
            'name': 'local',
            'descr': 'this machine, ranks started by mpirun',
            'hostnames': ['.*'],
            'modules_system': 'nomod',
            'partitions': [
                {
                    'name': 'default',
                    'descr': 'this machine',
                    'scheduler': 'local',
                    'launcher': 'mpirun',
                    'environs': ['plain'],
                    'max_jobs': 1,
                }
            ],
        }
    ],
    'environments': [
        {'name': 'plain', 'cc': 'cc', 'cxx': '', 'ftn': ''},
    ],
    'logging': [
        {
            'level': 'debug',
            'handlers': [
                {'type': 'stream', 'name': 'stdout', 'level': 'info',
                 'format': '%(message)s'},
                {'type': 'file', 'name': 'reframe.log', 'level': 'debug',
                 'format': '[%(asctime)s] %(levelname)s: %(check_info)s: %(message)s',
                 'append': False},
            ],
            'handlers_perflog': [
                {'type': 'filelog', 'prefix': '%(check_system)s/%(check_partition)s',
                 'level': 'info',
                 'format': ('%(check_job_completion_time)s|%(check_info)s|'
                            '%(check_perfvalues)s'),
                 'format_perfvars': '%(check_perf_value)s|%(check_perf_unit)s|',
                 'append': True},
            ],
        }
    ],
}
