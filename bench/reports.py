"""The reports a bench script's folder holds, for the scripts beside it."""
import glob
import json
import os


def reports(d, pattern):
    """(name, report) of each DIR/PATTERN in name order, name without '.json'; an unreadable one
    is named on stdout and left out."""
    for f in sorted(glob.glob(os.path.join(d, pattern))):
        try:
            with open(f) as fh:
                yield os.path.basename(f)[:-5], json.load(fh)
        except (OSError, ValueError) as e:
            print(f'{f}: {e}')
