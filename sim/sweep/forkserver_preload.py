"""Imported only by a sweep's fork server (``set_forkserver_preload``): it dies with the sweep.

The fork server is the parent of the process pool's workers. A sweep killed
with SIGKILL cannot stop it, and it may linger; with this, the kernel kills it
when the sweep dies, and the workers (which ask the same of their parent, the
fork server) follow. Importing this module anywhere else would tie that
process to its own parent, so nothing else imports it.
"""

from sim.sweep.executors import die_with_parent

die_with_parent()
