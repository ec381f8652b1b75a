/* session_parts — the session's private struct definitions, shared by the
 * modules that make up the session (session.c, sides.c, request.c,
 * kernel_view.c, wire.c, record.c, expect.c, observe.c) and by nothing
 * else: struct definitions only; each module's functions are in its own
 * header. Frontends see a session only through session.h.
 */
#ifndef SOCKLAB_SESSION_PARTS_H
#define SOCKLAB_SESSION_PARTS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "exact.h"
#include "fdtable.h"
#include "hold.h"
#include "host_ports.h"
#include "probe.h"
#include "program.h"
#include "puppet.h"
#include "resend.h"
#include "model.h"
#include "tie.h"
#include "timed.h"
#include "workdir.h"

enum {
	MAX_NAMES = 64,       /* names a side gives in one run */
	PROGRAM_TIMEOUT_MS = 10000, /* a program side's call: time to reach it, or to
	                               return or sleep */
	MAX_PRODUCED = 4096,  /* fd numbers a side's calls may have made: 0 .. MAX_PRODUCED - 1 */
};

/* A name a step gave to a result: `conn = accept(ls)`. */
struct name_binding {
	char name[NAME_MAX_LEN];
	int fd;
	bool closed;          /* the fd was closed: the program still holds the number */
};

/* A socket fd of a side and its inode, as the puppet's fstat() reported it
 * when socket() or accept() made it. Only those calls add an fd and only
 * close() removes one, so the table is the process's own. */
struct held_fd {
	int fd;
	uint32_t inode;
};

/* What a socket() or accept() returned: the kernel does not list a TCP or
 * UDP socket that has no address yet, so the session remembers its kind. */
struct fd_kind {
	int fd;
	int family;
	int type;
	bool bound_only;      /* TCP, bound, neither listening nor connected */
	bool listening;       /* listen() succeeded on it */
};

struct side {
	struct puppet puppet;
	struct program program;         /* `program SIDE:` lessons: the side's program,
	                                   instead of a puppet */
	bool is_program;
	struct name_binding names[MAX_NAMES];
	int name_count;
	struct held_fd *fds;            /* owned, grown as needed: every socket a
	                                   side holds shows */
	int fd_count, fd_capacity;
	struct fd_kind *kinds;          /* owned, grown as needed */
	int kind_count, kind_capacity;
	/* Every fd number a call of this side returned (socket, accept,
	 * epoll_create), closed or not: the only numbers its calls may name.
	 * A closed one still reaches the kernel (EBADF, or the socket that
	 * took the number since), as in any program; others reach nothing. */
	uint64_t produced[MAX_PRODUCED / 64];
	/* The call asleep in the kernel, if any. */
	bool blocked;
	size_t blocked_step;            /* index of the step whose call sleeps (steps may
	                                   grow: free play) */
	struct puppet_request request;  /* the last request (the blocked one's arguments) */
	bool observed;                  /* a traced program's side (session_observe): `processes`
	                                   holds its fds */
	struct fdtable processes;
};

struct session {
	const struct lesson *lesson;
	struct sandbox *sandbox;
	struct probe *probe;
	struct side sides[LESSON_MAX_SIDES];
	int side_count;
	struct workdir workdir;           /* puppets' cwd: the private path's tmpfs, the host
	                                     path's directory */
	size_t steps_done;
	struct lab_event *events;
	size_t event_count, event_capacity;
	struct lab_snapshot snapshot;
	struct lab_snapshot baseline;     /* what "changed" compares with: the snapshot
	                                     before this phase */
	struct tie *tie;                  /* whose each kernel socket is; remembers closed ones */
	struct tie_fd *tie_fds;           /* scratch: every fd of every side, per snapshot */
	size_t tie_fd_count, tie_fd_capacity;
	struct probe_snapshot raw;
	struct exact *exact;              /* host path: the lab's sockets asked for
	                                     exactly, not dumped */
	size_t events_probed;             /* events up to here were made before the last snapshot */
	uint32_t *touched;                /* scratch: inodes of the fds this step's
	                                     calls used or made */
	char probe_note[128];             /* for the step's last event: what a dump found that exact
	                                     requests missed */
	size_t touched_capacity;
	struct run_info info;
	size_t failure_count;
	const volatile sig_atomic_t *interrupt;   /* non-zero: stop waiting */
	bool capturing;                   /* session_capture() asked for the wire */
	struct capture *capture;          /* NULL when not capturing (or impossible) */
	struct capture_file *pcap;        /* --pcap: every packet of the run, across restarts */
	struct capture_batch batch;
	struct hold *hold;                /* the lesson says `wire: hold`, in the private path */
	struct host_ports host_ports;     /* host path: the host's port for each lesson port */
	struct timed_table timed;         /* since when each named socket is in its
	                                     state, its timer */
	struct resend_table resend;       /* held segments seen, to tell their copies */
	struct puppet_reply reply;        /* scratch: 64 KiB, kept off the stack */
};

#endif
