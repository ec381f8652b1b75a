/* tie — whose is each kernel socket: the rule that turns the probe's view
 * into the lab's rows, with no kernel in sight.
 *
 * Input: the probe's snapshot (every socket the kernel listed, by inode and
 * addresses) and every fd the sides hold (side, process, fd, inode, name,
 * kind), as the puppets' fstat() or the tracer reported them. Output: one
 * row a holder, tied to a side, a process, an fd and the lesson's name for
 * it (a socket two processes hold after fork() is one kernel socket with
 * two rows, each counting its `holders`), with a note where no fd holds it
 * (in an accept queue, closed and finishing, reset, ...) and change marks
 * against a baseline snapshot.
 *
 * The kernel lists some sockets without an inode (TIME-WAIT, request
 * sockets) and with ports it chose itself, so a `struct tie` remembers each
 * socket it placed by its addresses: a socket in TIME-WAIT keeps the side
 * and name its fd had. That memory lives across snapshots until
 * tie_forget(). Nothing here reads the kernel or the clock, so the tests
 * feed it made-up snapshots (tests/test_tie.c).
 */
#ifndef SOCKLAB_TIE_H
#define SOCKLAB_TIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe.h"
#include "model.h"

/* One fd a side holds, with what the lab knows of its socket. */
struct tie_fd {
	int side;
	int process;              /* a program side's process (pid) holding the fd; 0 a puppet's */
	int fd;
	uint32_t inode;           /* of the socket the fd holds */
	const char *name;         /* the lesson's name for it, "" none; borrowed for the call */
	int family;               /* what socket()/accept() made; AF_UNSPEC unknown */
	int type;                 /* SOCK_STREAM, SOCK_DGRAM; 0 unknown */
};

/* What the snapshot is made from; all borrowed for the call. */
struct tie_input {
	const struct probe_snapshot *raw;     /* the kernel's sockets */
	const struct tie_fd *fds;             /* every fd of every side, any order */
	size_t fd_count;
	const struct lab_snapshot *baseline;  /* what "changed" compares with; may be empty */
	bool host;                            /* the host path: a socket the lab cannot place
	                                         is not its own */
};

struct tie;

/* A tie with an empty memory. Returns NULL when out of memory. */
struct tie *tie_new(void);
void tie_free(struct tie *tie);          /* safe on NULL */

/* Empties the memory (a restart: the lab's sockets are all new). */
void tie_forget(struct tie *tie);

/* Builds `out` (owned by the caller, lab_snapshot_done frees it) from
 * `input`, and remembers its sockets. Returns 0, or -1 with *err. */
int tie_snapshot(struct tie *tie, const struct tie_input *input, struct lab_snapshot *out,
		 char **err);

/* The probe kinds (PROBE_TCP4 ...) of every socket the tie remembers: a
 * closed TCP socket lingers in TIME-WAIT, so the lab keeps asking for it. */
unsigned tie_remembered_kinds(const struct tie *tie);

/* A socket the tie remembers by its addresses (closed ones too). */
struct tie_remembered {
	int family, type;
	int side;
	uint32_t inode;           /* of the fd that last held it, 0 none */
	const struct lab_address *local,
		*peer; /* valid until the next tie_snapshot or tie_forget */
	const char *name;
};

/* How many sockets the tie remembers; tie_remembered_at(i) reads them in
 * the order first seen (the newest last). */
size_t tie_remembered_count(const struct tie *tie);
struct tie_remembered tie_remembered_at(const struct tie *tie, size_t i);

/* The side of the most recent remembered socket whose local address is
 * `address` (a closed socket in TIME-WAIT still sends ACKs), or -1. */
int tie_remembered_side(const struct tie *tie, int family, const struct lab_address *address);

#endif
