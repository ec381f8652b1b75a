/* workdir — where the puppets' Unix socket paths (./echo.sock) live: a
 * tmpfs that exists nowhere else in the private path (nothing to clean,
 * whatever way the lab ends), which is the puppets' root there; a
 * temporary directory on the host path, which the lab's names may not
 * leave (host_ports.h). A lab killed with SIGKILL cannot remove its
 * host-path directory; its name carries its pid, so the next lab of the
 * same user removes it.
 */
#ifndef SOCKLAB_WORKDIR_H
#define SOCKLAB_WORKDIR_H

#include <stdbool.h>
#include <stddef.h>

#include "sandbox.h"

/* A lab's working directory: `fd` the private path's tmpfs (or -1),
 * `path` the host path's directory (or ""). Start with fd -1, path "". */
struct workdir {
	int fd;
	char path[64];
};

/* Makes the directory for `sandbox`; the host path keeps its directory
 * across restarts. 0, or -1 with *err. */
int workdir_make(struct workdir *dir, struct sandbox *sandbox, char **err);

/* Closes the tmpfs, empties the host path's directory, and with `remove`
 * removes it. */
void workdir_done(struct workdir *dir, bool remove);

#endif
