"""Imported only by a sweep's fork server (``set_forkserver_preload``): it dies with the sweep.

The fork server is the parent of the process pool's workers. A sweep killed
with SIGKILL cannot stop it, and it may linger; with this, the kernel kills it
when the sweep dies, and the workers (which ask the same of their parent, the
fork server) follow; a server whose sweep died while it was still importing
exits here. Importing this module anywhere else would tie that process to its
own parent, so nothing else imports it.
"""

import os

from sim.forkserver import FORKSERVER_PARENT, die_with_parent

# The parent's pid as it started the server (sim.forkserver.forkserver_context):
# the imports above take a second or more, and a parent killed meanwhile is not seen by
# comparing its pid before and after the request.
die_with_parent(int(os.environ.pop(FORKSERVER_PARENT, "0")) or None)
