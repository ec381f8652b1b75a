/* syscalls — the system calls the tracer stops at, as data, and how to
 * print one as strace does.
 *
 * One row per system call: its name and number (x86-64 or aarch64, from
 * <sys/syscall.h>), when the student sees it, the catalog call it maps
 * onto, and the kinds of its arguments. The seccomp filter is built from
 * the same rows, so the kernel stops a traced program at exactly the calls
 * this table can decode, and lets every other call run at full speed.
 *
 * Decoding reads the tracee's memory (process_vm_readv; the caller must be
 * its tracer) and /proc/PID/fd (which fds are sockets, and their inodes).
 * Nothing here calls ptrace: the tracer hands over the arguments it read.
 */
#ifndef SOCKLAB_SYSCALLS_H
#define SOCKLAB_SYSCALLS_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct tracer_event;

/* When a stop at this call is shown to the student. */
enum syscall_show {
	SHOW_ALWAYS,             /* a socket call: its fd can only be a socket */
	SHOW_IF_SOCKET,          /* read, write, close: only when argument 0 is a socket */
	SHOW_IF_WATCHES_SOCKET,  /* poll, select, epoll_wait: only when a watched fd is a socket */
	SHOW_NEVER,              /* dup, dup2, dup3, fcntl(F_DUPFD): never shown; a copy of a socket
	                            fd gets a filter of its own (per-fd filters only) */
};

/* How an argument is printed. "The next argument" is the length that goes with it. */
enum syscall_arg {
	SA_NONE,
	SA_FD,               /* a file descriptor, printed as a number */
	SA_INT,              /* a signed decimal */
	SA_SIZE,             /* an unsigned decimal (a byte count) */
	SA_FAMILY,           /* AF_INET, AF_INET6, AF_UNIX, ... */
	SA_TYPE,             /* SOCK_STREAM|SOCK_CLOEXEC, ... */
	SA_PROTOCOL,         /* IPPROTO_IP, IPPROTO_TCP, ... */
	SA_ADDRESS_IN,       /* a sockaddr the call reads; its length is the next argument */
	SA_ADDRESS_OUT,      /* a sockaddr the kernel fills; the next argument points
	                        at its length */
	SA_LENGTH_POINTER,   /* a socklen_t the kernel reads and rewrites: [16] */
	SA_BYTES_IN,         /* bytes the call sends; their count is the next argument */
	SA_BYTES_OUT,        /* bytes the kernel fills; the return value counts them */
	SA_MSG_FLAGS,        /* MSG_NOSIGNAL|MSG_DONTWAIT, or 0 */
	SA_SOCK_FLAGS,       /* accept4's SOCK_CLOEXEC|SOCK_NONBLOCK, or 0 */
	SA_HOW,              /* SHUT_RD, SHUT_WR, SHUT_RDWR */
	SA_LEVEL,            /* SOL_SOCKET, IPPROTO_TCP, ... */
	SA_OPTION,           /* SO_REUSEADDR, TCP_NODELAY, ...: the previous
	                        argument is the level */
	SA_OPTION_IN,        /* an option value the call reads: [1]; its length is the
	                        next argument */
	SA_OPTION_OUT,       /* an option value the kernel fills; the next argument points
	                        at its length */
	SA_MSGHDR_IN,        /* sendmsg's struct msghdr */
	SA_MSGHDR_OUT,       /* recvmsg's struct msghdr */
	SA_MMSGHDR_IN,       /* sendmmsg's vector: each message's name and iovecs; the next argument
	                        counts them */
	SA_MMSGHDR_OUT,      /* recvmmsg's vector, filled by the kernel: the return
	                        value counts them */
	SA_FD_PAIR,          /* socketpair's int[2], filled by the kernel */
	SA_POLLFDS,          /* struct pollfd[]; their count is the next argument */
	SA_FD_SET,           /* select's fd_set; argument 0 is nfds */
	SA_TIMEOUT_MS,       /* poll/epoll timeout in ms, -1 forever */
	SA_TIMEVAL,          /* select's timeout, NULL forever */
	SA_TIMESPEC,         /* ppoll/pselect6's timeout, NULL forever */
	SA_EPOLL_EVENTS,     /* struct epoll_event[] the kernel fills; the return
	                        value counts them */
	SA_POINTER,          /* printed as NULL or 0x... */
	SA_KIND_COUNT
};

#define SYSCALL_MAX_ARGS 6

struct syscall_def {
	const char *name;
	long number;
	enum syscall_show show;
	int call;                   /* enum call_id it maps onto, -1 when the catalog has no row */
	int call_with_address;      /* when address_arg is not NULL (sendto, recvfrom with an
	                               address); -1 same as call */
	signed char address_arg;    /* the argument that makes it call_with_address, -1 none */
	signed char fd_arg;         /* the socket argument, -1 none */
	bool returns_fd;            /* socket, accept, accept4: the result is a new socket */
	unsigned char arg_count;
	enum syscall_arg args[SYSCALL_MAX_ARGS];
};

extern const struct syscall_def syscalls_table[];
extern const size_t syscalls_count;

/* The row for system call `number`, or NULL when it is not traced. */
const struct syscall_def *syscalls_find(long number);

/* A name for any system call a program may sleep in ("nanosleep",
 * "wait4", ...), for saying where a program waits; "syscall 35" form in
 * `fallback` for the rest. */
const char *syscalls_any_name(long number, char *fallback, size_t fallback_size);

/* The base seccomp program: SECCOMP_RET_TRACE (data: the row's index) for
 * each row, SECCOMP_RET_ALLOW for every other call and for calls of another
 * ABI (i386, x32), whose numbers mean other things. With `per_fd`, the
 * rows that matter only on a socket (read, write, close: SHOW_IF_SOCKET)
 * are left out: each socket fd then gets a filter of its own
 * (syscalls_build_fd_filter), so a program's calls on files and pipes run
 * at full speed. Returns the number of instructions written, or -1 when
 * `capacity` is too small. */
int syscalls_build_filter(struct sock_filter *filter, size_t capacity, bool per_fd);

/* The filter for one socket fd: SECCOMP_RET_TRACE (data: the row's index)
 * for the SHOW_IF_SOCKET rows when argument 0 is `fd`, ALLOW otherwise.
 * seccomp runs every filter of the chain and the strictest answer wins, so
 * this adds the fd's calls to what the base filter traces. Returns the
 * number of instructions, or -1 when `capacity` is too small. */
int syscalls_build_fd_filter(struct sock_filter *filter, size_t capacity, int fd);

/* Room either builder needs. */
#define SYSCALLS_FILTER_MAX 128

/* The socket inode behind `fd` in task `task` ("socket:[N]" in
 * /proc/TASK/fd/FD), or 0 when it is not a socket or is gone. */
uint64_t syscalls_socket_inode(pid_t task, int fd);

/* Whether a SHOW_NEVER call (dup, dup2, dup3, fcntl) is about to copy a
 * socket fd: its result then needs a filter of its own. */
bool syscalls_copies_socket_fd(const struct syscall_def *def, pid_t task,
			       const uint64_t args[SYSCALL_MAX_ARGS]);

/* Whether a stop at this call should be shown: always for socket calls;
 * for read/write/close and poll/select/epoll_wait, only when a socket is
 * involved (asks /proc). *inode is the call's socket inode when asking
 * /proc told it (read/write/close on a socket), else 0. */
bool syscalls_is_shown(const struct syscall_def *def, pid_t task,
		       const uint64_t args[SYSCALL_MAX_ARGS], uint64_t *inode);

/* Fills the event's call fields at the call's entry: name, call, fd,
 * inode (unless the caller set it: syscalls_is_shown read it at this
 * stop), text ("bind(3, {AF_INET, 127.0.0.1:65432}, 16)"; arguments the
 * kernel fills are "..."), target, and bytes to send. */
void syscalls_decode_entry(const struct syscall_def *def, pid_t task,
			   const uint64_t args[SYSCALL_MAX_ARGS], struct tracer_event *event);

/* Fills them at the call's exit, with the return value: text with the
 * filled-in arguments and " = 4" or " = -1 ECONNREFUSED (Connection
 * refused)", ret, error, address, bytes received, result_inode. The fd's
 * inode is kept from entry (a closed fd has none any more). */
void syscalls_decode_exit(const struct syscall_def *def, pid_t task,
			  const uint64_t args[SYSCALL_MAX_ARGS], long ret, int error,
			  struct tracer_event *event);

/* Reads `len` bytes at `address` in task's memory; returns how many were read. */
size_t syscalls_read_memory(pid_t task, uint64_t address, void *out, size_t len);

#endif
