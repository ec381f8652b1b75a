/* request — a step's call as the request a puppet runs: socket names
 * become the side's fds, and on the host path addresses and file names are
 * kept to loopback and the lab's directory (host_ports.h).
 */
#ifndef SOCKLAB_REQUEST_H
#define SOCKLAB_REQUEST_H

#include "session_parts.h"

/* Fills `request` for `call`; what the host path cannot keep is refused,
 * with why in *refusal (which may be NULL: a program's call). 0, or -1
 * with *err. */
int request_build(struct session *session, const struct typed_call *call,
		  struct puppet_request *request, struct refusal *refusal, char **err);

#endif
