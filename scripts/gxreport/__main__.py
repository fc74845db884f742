"""python3 -m gxreport: the package's helpers for the shell subcommands (internal_main)."""
import gxreport as gx

gx.run("gxreport", gx.internal_main)
