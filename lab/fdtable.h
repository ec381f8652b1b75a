/* fdtable — the socket fds of a program side: a set of processes, each
 * with its own fd table (threads share their process's).
 *
 * A side starts as one process. fork() gives the child a copy of its
 * parent's table: the same kernel sockets, now with two holders each;
 * exec keeps the table (the lab cannot see close-on-exec from here: a
 * socket the new program does not use stays listed until it exits); a
 * process's end closes its fds. Each process has a label for the rows:
 * the side's own name for the first process, "server/child1",
 * "server/child2" ... for the others, in the order they started.
 *
 * Nothing here reads the kernel: the tracer's events feed it, and the
 * session hands its rows to the tie (tie.h). Tested without a kernel in
 * tests/test_fdtable.c.
 */
#ifndef SOCKLAB_FDTABLE_H
#define SOCKLAB_FDTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum { FDTABLE_PROCESSES = 64, FDTABLE_FDS = 512, FDTABLE_LABEL_MAX = 48 };

struct fdtable_fd {
	pid_t process;
	int fd;
	uint32_t inode;
	int family, type;         /* what socket()/socketpair() made; AF_UNSPEC 0 for accept's */
	bool bound_only;          /* TCP, bound, neither listening nor connected: the
	                             probe asks for it */
	bool listening;
};

struct fdtable_process {
	pid_t pid;
	pid_t parent;             /* 0 for the first */
	unsigned ordinal;         /* 0 the first process, 1 its first child, ... */
	bool over;                /* exited: kept for its label */
	char command[128];        /* its last exec's command line, "" none seen */
	char row_name[16];        /* what its fds' rows are called: "main", "child1", ... */
};

/* Embedded in a session side; all storage inside. */
struct fdtable {
	struct fdtable_process processes[FDTABLE_PROCESSES];
	size_t process_count;
	struct fdtable_fd fds[FDTABLE_FDS];
	size_t fd_count;
};

/* Empty, with `first` as the side's first process (0: the first process
 * seen becomes it). */
void fdtable_init(struct fdtable *table, pid_t first);

/* The process `pid`, added (as a child of the first process) when new. NULL when full. */
struct fdtable_process *fdtable_process(struct fdtable *table, pid_t pid);

/* `child` starts with a copy of `parent`'s fds. */
void fdtable_fork(struct fdtable *table, pid_t parent, pid_t child);

/* `pid` ran execve(`command`). */
void fdtable_exec(struct fdtable *table, pid_t pid, const char *command);

/* `pid` ended: its fds are closed. */
void fdtable_exit(struct fdtable *table, pid_t pid);

/* `pid`'s `fd` holds the socket `inode` now (socket, accept, a reused number). */
void fdtable_add(struct fdtable *table, pid_t pid, int fd, uint32_t inode, int family, int type);

/* `pid` closed `fd`. Returns how many other fds (of any process of the
 * side) still hold the same kernel socket: 0 means this close was the
 * last, and the kernel ends the connection (FIN); more means it does not. */
unsigned fdtable_close(struct fdtable *table, pid_t pid, int fd);

/* `pid`'s `fd`, or NULL. */
struct fdtable_fd *fdtable_find(struct fdtable *table, pid_t pid, int fd);

/* The name of `pid`'s rows while the side has several processes
 * ("main", "child1"), "" while it has one. */
const char *fdtable_row_name(const struct fdtable *table, pid_t pid);

/* How many processes the side has had (the ended ones too). */
size_t fdtable_process_count(const struct fdtable *table);

/* The label of `pid` for rows and transcript lines: `side` alone while
 * the side has had one process, else "side" for the first and
 * "side/childN" for the others ("side[PID]" for one the table never saw). */
void fdtable_label(const struct fdtable *table, pid_t pid, const char *side, char *out,
		   size_t size);

#endif
