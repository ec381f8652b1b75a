/* puppet — a process that makes one socket call at a time on request.
 *
 * Life: puppet_start() forks a child with its own fd table, like a real
 * program: 0-2 on /dev/null, so its first socket is fd 3 as in any program,
 * and the request channel parked on a high fd. The child dies with the
 * controller (PR_SET_PDEATHSIG, then a parent check to close the race),
 * ignores SIGPIPE so EPIPE reaches the student, and is reaped by
 * puppet_stop().
 *
 * Protocol: one request at a time over a SOCK_SEQPACKET socketpair. The
 * controller writes a puppet_request; the puppet makes the real system call
 * and writes one puppet_reply. A call that blocks really blocks in the
 * kernel: puppet_wait() tells REPLIED from BLOCKED by asking the kernel what
 * the child is doing (/proc/PID/syscall: asleep in the call's system call),
 * never by how long it took. A blocked puppet answers later, when the
 * kernel wakes it; puppet_check_woken() collects that answer.
 */
#ifndef SOCKLAB_PUPPET_H
#define SOCKLAB_PUPPET_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "catalog.h"

#define PUPPET_MAX_BYTES 65536

/* The channel sits here in the child, out of the way of the fds the
 * student's calls get (3, 4, ... as in any program). Not the student's:
 * the puppet answers EBADF to any request that names it. Where the open
 * file limit (ulimit -n) is 1000 or less, it sits on the highest fd the
 * limit allows (puppet_channel_fd); below PUPPET_MIN_OPEN_FILES the lab
 * cannot run. */
#define PUPPET_CHANNEL_FD 1000
#define PUPPET_MIN_OPEN_FILES 32

/* poll/select watch at most this many fds; epoll_wait reports at most this many. */
#define PUPPET_MAX_WATCHED 8

struct puppet_request {
	enum call_id call;
	int fd;                              /* the socket argument, -1 if none */
	long numbers[4];                     /* the call's other numeric arguments, in order */
	int fds[PUPPET_MAX_WATCHED];         /* every socket argument, in order (poll,
	                                        select, epoll_ctl) */
	int fd_count;
	struct sockaddr_storage address;     /* bind/connect/sendto */
	socklen_t address_len;
	bool loopback_first;                 /* host path: bind an unbound TCP/UDP socket to
	                                        loopback first */
	uint32_t bytes_len;                  /* send/sendto/sendall payload, unlink path
	                                        (NUL included) */
	unsigned char bytes[PUPPET_MAX_BYTES];
};

struct puppet_reply {
	long ret;                            /* the call's return value */
	int error;                           /* errno when ret == -1, else 0 */
	struct sockaddr_storage address;     /* filled by accept, recvfrom,
	                                        getsockname, getpeername */
	socklen_t address_len;
	long value;                          /* getsockopt/fcntl F_GETFL: the value read */
	long value2;                         /* SO_LINGER: l_linger */
	uint64_t elapsed_ns;                 /* time inside the system call(s) */
	uint64_t inode;                      /* socket/accept: the new fd's socket inode
	                                        (fstat), else 0 */
	int ready_count;                     /* poll/select/epoll_wait: the fds reported ready */
	int ready_fd[PUPPET_MAX_WATCHED];
	uint32_t ready_events[PUPPET_MAX_WATCHED];   /* POLL* bits (EPOLL* share their values) */
	uint32_t bytes_len;                  /* recv/recvfrom: bytes received */
	unsigned char bytes[PUPPET_MAX_BYTES];
};

enum puppet_status {
	PUPPET_IDLE,      /* waiting for a request */
	PUPPET_BUSY,      /* a request was sent, no answer yet */
	PUPPET_BLOCKED,   /* asleep in the call's system call */
	PUPPET_DEAD,      /* the process is gone */
};

struct puppet {
	pid_t pid;             /* -1 when not running */
	int channel;           /* controller's end of the socketpair, -1 when closed */
	enum puppet_status status;
	long blocking_syscall; /* of the call in flight */
};

/* Forks the puppet, in the caller's working directory. Returns 0, or -1
 * with *err (malloc'd). */
int puppet_start(struct puppet *puppet, char **err);

/* puppet_start, and the puppet makes its working directory its root
 * (chroot), so no file name it is given reaches outside it. Needs
 * CAP_SYS_CHROOT (the private path's user namespace); a puppet that
 * cannot confine itself exits, which the first request sees. */
int puppet_start_confined(struct puppet *puppet, char **err);

/* The fd the channel has in a puppet started now: PUPPET_CHANNEL_FD, or
 * below it when the open file limit is lower; -1 when the limit is under
 * PUPPET_MIN_OPEN_FILES. */
int puppet_channel_fd(void);

/* One round trip that changes nothing, so the first real call does not
 * pay for the new process's first run (page faults, scheduling). */
int puppet_warm_up(struct puppet *puppet, char **err);

/* fork(): sends the request with `fd`, the child's end of a new channel,
 * passed as SCM_RIGHTS. The parent answers with the child's pid; then
 * puppet_adopt() makes the child a puppet of its own, whose first answer
 * (fork's 0) puppet_wait() reads. A child of a puppet is the controller's
 * grandchild: it dies with its parent (PR_SET_PDEATHSIG), and its parent
 * ignores SIGCHLD, so the kernel reaps it. */
int puppet_send_with_fd(struct puppet *puppet, const struct puppet_request *request, int fd,
			char **err);
int puppet_adopt(struct puppet *puppet, pid_t pid, int channel);

/* Sends one request; the puppet must be idle. */
int puppet_send(struct puppet *puppet, const struct puppet_request *request, char **err);

/* After puppet_send: waits until the puppet replies (returns PUPPET_IDLE,
 * reply filled) or sleeps in the call (returns PUPPET_BLOCKED). Returns
 * PUPPET_DEAD with *err if the process died. */
enum puppet_status puppet_wait(struct puppet *puppet, struct puppet_reply *reply, char **err);

/* For a blocked puppet: has the kernel woken it? Returns PUPPET_IDLE with
 * the reply when it answered, PUPPET_BLOCKED while it still sleeps in the
 * call (it waits for a runnable puppet to finish, never on a timer). */
enum puppet_status puppet_check_woken(struct puppet *puppet, struct puppet_reply *reply,
				      char **err);

/* Holds a blocked puppet still (SIGSTOP, waited for) while another side
 * steps, so the probe can see what the kernel did before the sleeper
 * runs again: a connection complete in the accept queue before the woken
 * accept() takes it. The interrupted call restarts on puppet_thaw(), as
 * after any stop signal. Returns 0, or -1 with *err. */
int puppet_freeze(struct puppet *puppet, char **err);
void puppet_thaw(struct puppet *puppet);

/* Kills (SIGKILL) and reaps the process, closes the channel. Safe twice. */
void puppet_stop(struct puppet *puppet);

/* Whether the puppet has a runner for `call` (every call but the wire's). */
bool puppet_runs_call(enum call_id call);

/* Sizes of the messages on the channel: a request carries only its bytes. */
size_t puppet_request_size(const struct puppet_request *request);

#endif
