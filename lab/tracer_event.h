/* tracer_event — what the tracer tells of a traced program: one event a
 * message (tracer.h says when each kind comes). The system call decoder
 * (syscalls.h) fills the call's part of it; the tracer the rest.
 */
#ifndef SOCKLAB_TRACER_EVENT_H
#define SOCKLAB_TRACER_EVENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "address.h"
#include "text.h"

#define TRACER_MAX_BYTES 65536       /* bytes sent, received or output carried by one event */
#define TRACER_TEXT_MAX 512
#define TRACER_LINE_MAX 256
#define TRACER_NAME_MAX 24

enum tracer_event_kind {
	TRACER_CALL,      /* a socket call is about to run; held until tracer_release */
	TRACER_RETURNED,  /* the call returned; held until tracer_release (not held: a call a
	                     signal handler cut short, which the program saw fail with EINTR) */
	TRACER_BLOCKED,   /* a released call sleeps in the kernel; it comes back as
	                     TRACER_RETURNED */
	TRACER_SETTLED,   /* every task is held, asleep in a socket call, or asleep elsewhere */
	TRACER_OUTPUT,    /* bytes the program wrote to stdout or stderr (raw: escape to show) */
	TRACER_EXITED,    /* a process of the program ended */
	TRACER_FORKED,    /* a new process (fork, vfork, clone without CLONE_THREAD): `process`,
	                     from `parent` */
	TRACER_EXECED,    /* `process` ran execve: `text` is its new command line */
	TRACER_EVENT_KIND_COUNT
};

/* SETTLED: the task most telling of where the program waits. */
enum tracer_wait {
	TRACER_WAIT_NONE,
	TRACER_WAIT_HELD,      /* held at a call for tracer_release */
	TRACER_WAIT_BLOCKED,   /* asleep in a socket call */
	TRACER_WAIT_ASLEEP,    /* asleep in another system call (clock_nanosleep, read) */
};

struct tracer_event {
	enum tracer_event_kind kind;
	bool held;                        /* the task waits for tracer_release(event->task) */
	pid_t task;                       /* the thread that stopped */
	pid_t process;                    /* its process */
	pid_t parent;                     /* FORKED: the process that made it */
	long syscall;                     /* the system call's number */
	char name[TRACER_NAME_MAX];       /* "accept4" */
	int call;                         /* enum call_id it maps onto (catalog.h), -1
	                                     when none fits */
	int fd;                           /* the socket argument, -1 none */
	uint64_t inode;                   /* that fd's socket inode before the call
	                                     (sock_diag's), 0 none */
	char text[TRACER_TEXT_MAX];       /* strace style:
	                                     "bind(3, {AF_INET, 127.0.0.1:65432}, 16)"; RETURNED
	                                     adds " = 0" or
	                                     " = -1 EADDRINUSE (Address already in use)" */
	struct lab_address target;        /* the address argument (bind, connect, sendto),
	                                     or EMPTY */
	struct lab_address address;       /* RETURNED: filled in by the kernel (accept, recvfrom,
	                                     getsockname), or EMPTY */
	long ret;                         /* RETURNED: the return value, -1 on error */
	int error;                        /* RETURNED: errno when ret == -1, else 0 */
	uint64_t result_inode;            /* RETURNED socket/accept/accept4: the new fd's socket
	                                     inode; socketpair: the first fd's */
	int pair[2];                      /* RETURNED socketpair: the two new fds, else -1 -1 */
	uint64_t pair_inodes[2];          /* their sockets' inodes */
	int family, type;                 /* RETURNED socket/socketpair: what it was asked to make
	                                     (AF_NETLINK, SOCK_RAW); 0 0 for every other call */
	uint64_t message_bytes;           /* RETURNED sendmmsg/recvmmsg: the bytes of the messages
	                                     that went or came (the sum of their msg_len) */
	bool woke;                        /* RETURNED: the call had been reported BLOCKED */
	bool bytes_decoded;               /* RETURNED: the bytes read are shown decoded in the text
	                                     (netlink messages); the result gives
	                                     their count only */
	bool startup;                     /* RETURNED, not held: the interpreter's call before the
	                                     program's first line
	                                     (TRACER_REPORTS_LINES); no CALL came */
	uint64_t elapsed_ns;              /* RETURNED: from release to return */
	char line[TRACER_LINE_MAX];       /* the source line that made the call, when the program
	                                     reports lines:
	                                     "echo-server.py:11: conn, addr = s.accept()";
	                                     else "" */
	unsigned held_count;              /* SETTLED: tasks waiting for tracer_release */
	unsigned blocked_count;           /* SETTLED: tasks asleep in a socket call */
	unsigned asleep_count;            /* SETTLED: tasks asleep outside socket calls */
	int exit_code;                    /* EXITED: the exit status, -1 when killed by a signal */
	int signal;                       /* EXITED: the signal that killed it, 0 none */
	bool program_over;                /* EXITED: no process of the program is left */
	enum tracer_wait wait;            /* SETTLED: how the task `message` names waits */
	char message[256];                /* EXITED: "exited with code 0", "killed by SIGKILL", ...;
	                                     SETTLED: the call it waits in, "accept4",
	                                     "clock_nanosleep", or "" (words are the
	                                     reader's, from `wait`) */
	uint32_t bytes_len;
	unsigned char bytes[TRACER_MAX_BYTES]; /* CALL: bytes to send; RETURNED: bytes
	                                          received; OUTPUT */
};

#endif
