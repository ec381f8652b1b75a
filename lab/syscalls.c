/* syscalls — the traced system calls as rows, the seccomp filter built
 * from them, and strace-style decoding from the tracee's memory. */
#include "syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "address.h"
#include "catalog.h"
#include "netlink_text.h"
#include "text.h"
#include "tracer_event.h"

#if defined(__x86_64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "socklab's tracer knows the system calls of x86-64 and aarch64 only"
#endif
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the per-fd filter reads an argument's low half at its offset: little-endian only"
#endif

#define ARGS(...) \
	.arg_count = sizeof((enum syscall_arg[]){ __VA_ARGS__ }) / sizeof(enum syscall_arg), \
	.args = { __VA_ARGS__ }
#define ROW(name_, show_, call_, fd_, ...) \
	{ \
		.name = #name_, .number = SYS_##name_, .show = show_, .call = call_, \
		.fd_arg = fd_, __VA_ARGS__ \
	}

/* accept, poll, select and epoll_wait exist on x86-64 only; aarch64 has
 * accept4, ppoll, pselect6 and epoll_pwait, which glibc uses there. No
 * architecture here has send or recv: glibc makes them sendto/recvfrom. */
const struct syscall_def syscalls_table[] = {
	ROW(socket, SHOW_ALWAYS, CALL_SOCKET, -1, .returns_fd = true,
	    ARGS(SA_FAMILY, SA_TYPE, SA_PROTOCOL)),
	ROW(socketpair, SHOW_ALWAYS, CALL_SOCKETPAIR, -1,
	    ARGS(SA_FAMILY, SA_TYPE, SA_PROTOCOL, SA_FD_PAIR)),
	ROW(bind, SHOW_ALWAYS, CALL_BIND, 0, ARGS(SA_FD, SA_ADDRESS_IN, SA_SIZE)),
	ROW(listen, SHOW_ALWAYS, CALL_LISTEN, 0, ARGS(SA_FD, SA_INT)),
#ifdef SYS_accept
	ROW(accept, SHOW_ALWAYS, CALL_ACCEPT, 0, .returns_fd = true,
	    ARGS(SA_FD, SA_ADDRESS_OUT, SA_LENGTH_POINTER)),
#endif
	ROW(accept4, SHOW_ALWAYS, CALL_ACCEPT, 0, .returns_fd = true,
	    ARGS(SA_FD, SA_ADDRESS_OUT, SA_LENGTH_POINTER, SA_SOCK_FLAGS)),
	ROW(connect, SHOW_ALWAYS, CALL_CONNECT, 0, ARGS(SA_FD, SA_ADDRESS_IN, SA_SIZE)),
	ROW(sendto, SHOW_ALWAYS, CALL_SEND, 0, .call_with_address = CALL_SENDTO, .address_arg = 4,
	    ARGS(SA_FD, SA_BYTES_IN, SA_SIZE, SA_MSG_FLAGS, SA_ADDRESS_IN, SA_SIZE)),
	ROW(recvfrom, SHOW_ALWAYS, CALL_RECV, 0, .call_with_address = CALL_RECVFROM,
	    .address_arg = 4,
	    ARGS(SA_FD, SA_BYTES_OUT, SA_SIZE, SA_MSG_FLAGS, SA_ADDRESS_OUT, SA_LENGTH_POINTER)),
	ROW(sendmsg, SHOW_ALWAYS, CALL_SEND, 0, .call_with_address = CALL_SENDTO,
	    ARGS(SA_FD, SA_MSGHDR_IN, SA_MSG_FLAGS)),
	ROW(recvmsg, SHOW_ALWAYS, CALL_RECV, 0, .call_with_address = CALL_RECVFROM,
	    ARGS(SA_FD, SA_MSGHDR_OUT, SA_MSG_FLAGS)),
	ROW(sendmmsg, SHOW_ALWAYS, CALL_SENDMMSG, 0,
	    ARGS(SA_FD, SA_MMSGHDR_IN, SA_SIZE, SA_MSG_FLAGS)),
	ROW(recvmmsg, SHOW_ALWAYS, CALL_RECVMMSG, 0,
	    ARGS(SA_FD, SA_MMSGHDR_OUT, SA_SIZE, SA_MSG_FLAGS, SA_TIMESPEC)),
	ROW(shutdown, SHOW_ALWAYS, CALL_SHUTDOWN, 0, ARGS(SA_FD, SA_HOW)),
	ROW(setsockopt, SHOW_ALWAYS, CALL_SETSOCKOPT, 0,
	    ARGS(SA_FD, SA_LEVEL, SA_OPTION, SA_OPTION_IN, SA_SIZE)),
	ROW(getsockopt, SHOW_ALWAYS, CALL_GETSOCKOPT, 0,
	    ARGS(SA_FD, SA_LEVEL, SA_OPTION, SA_OPTION_OUT, SA_LENGTH_POINTER)),
	ROW(getsockname, SHOW_ALWAYS, CALL_GETSOCKNAME, 0,
	    ARGS(SA_FD, SA_ADDRESS_OUT, SA_LENGTH_POINTER)),
	ROW(getpeername, SHOW_ALWAYS, CALL_GETPEERNAME, 0,
	    ARGS(SA_FD, SA_ADDRESS_OUT, SA_LENGTH_POINTER)),
	ROW(close, SHOW_IF_SOCKET, CALL_CLOSE, 0, ARGS(SA_FD)),
	ROW(read, SHOW_IF_SOCKET, CALL_RECV, 0, ARGS(SA_FD, SA_BYTES_OUT, SA_SIZE)),
	ROW(write, SHOW_IF_SOCKET, CALL_SEND, 0, ARGS(SA_FD, SA_BYTES_IN, SA_SIZE)),
	ROW(dup, SHOW_NEVER, -1, 0, .returns_fd = true, ARGS(SA_FD)),
#ifdef SYS_dup2
	ROW(dup2, SHOW_NEVER, -1, 0, .returns_fd = true, ARGS(SA_FD, SA_INT)),
#endif
	ROW(dup3, SHOW_NEVER, -1, 0, .returns_fd = true, ARGS(SA_FD, SA_INT, SA_INT)),
	ROW(fcntl, SHOW_NEVER, -1, 0, ARGS(SA_FD, SA_INT, SA_INT)),
#ifdef SYS_poll
	ROW(poll, SHOW_IF_WATCHES_SOCKET, CALL_POLL, -1, ARGS(SA_POLLFDS, SA_INT, SA_TIMEOUT_MS)),
#endif
	ROW(ppoll, SHOW_IF_WATCHES_SOCKET, CALL_POLL, -1,
	    ARGS(SA_POLLFDS, SA_INT, SA_TIMESPEC, SA_POINTER, SA_SIZE)),
#ifdef SYS_select
	ROW(select, SHOW_IF_WATCHES_SOCKET, CALL_SELECT, -1,
	    ARGS(SA_INT, SA_FD_SET, SA_FD_SET, SA_FD_SET, SA_TIMEVAL)),
#endif
	ROW(pselect6, SHOW_IF_WATCHES_SOCKET, CALL_SELECT, -1,
	    ARGS(SA_INT, SA_FD_SET, SA_FD_SET, SA_FD_SET, SA_TIMESPEC, SA_POINTER)),
#ifdef SYS_epoll_wait
	ROW(epoll_wait, SHOW_IF_WATCHES_SOCKET, CALL_EPOLL_WAIT, -1,
	    ARGS(SA_FD, SA_EPOLL_EVENTS, SA_INT, SA_TIMEOUT_MS)),
#endif
	ROW(epoll_pwait, SHOW_IF_WATCHES_SOCKET, CALL_EPOLL_WAIT, -1,
	    ARGS(SA_FD, SA_EPOLL_EVENTS, SA_INT, SA_TIMEOUT_MS, SA_POINTER, SA_SIZE)),
#ifdef SYS_epoll_pwait2
	ROW(epoll_pwait2, SHOW_IF_WATCHES_SOCKET, CALL_EPOLL_WAIT, -1,
	    ARGS(SA_FD, SA_EPOLL_EVENTS, SA_INT, SA_TIMESPEC, SA_POINTER, SA_SIZE)),
#endif
};
const size_t syscalls_count = sizeof syscalls_table / sizeof syscalls_table[0];

/* The filter's return data is a row index (16 bits); two instructions a row. */
_Static_assert(sizeof syscalls_table / sizeof syscalls_table[0] < 0xffff,
	       "row index fits SECCOMP_RET_DATA");
_Static_assert(2 * sizeof syscalls_table / sizeof syscalls_table[0] + 7 <= SYSCALLS_FILTER_MAX,
	       "SYSCALLS_FILTER_MAX holds the filter");

const struct syscall_def *syscalls_find(long number)
{
	for (size_t i = 0; i < syscalls_count; i++)
		if (syscalls_table[i].number == number)
			return &syscalls_table[i];
	return NULL;
}

struct name_row {
	long value;
	const char *name;
};

#define NAME(value_) { value_, #value_ }
#define SYSCALL_NAME(name_) { SYS_##name_, #name_ }

/* Where a program that is not in a socket call usually sleeps. */
static const struct name_row sleeper_names[] = {
	SYSCALL_NAME(read),          SYSCALL_NAME(write),
	SYSCALL_NAME(nanosleep),     SYSCALL_NAME(clock_nanosleep),
	SYSCALL_NAME(wait4),         SYSCALL_NAME(waitid),
	SYSCALL_NAME(futex),         SYSCALL_NAME(ppoll),
	SYSCALL_NAME(pselect6),      SYSCALL_NAME(epoll_pwait),
	SYSCALL_NAME(rt_sigsuspend), SYSCALL_NAME(rt_sigtimedwait),
	SYSCALL_NAME(openat),        SYSCALL_NAME(readv),
	SYSCALL_NAME(writev),
#ifdef SYS_pause
	SYSCALL_NAME(pause),
#endif
#ifdef SYS_poll
	SYSCALL_NAME(poll),
#endif
#ifdef SYS_select
	SYSCALL_NAME(select),
#endif
#ifdef SYS_epoll_wait
	SYSCALL_NAME(epoll_wait),
#endif
};

static const char *name_of(const struct name_row *rows, size_t count, long value)
{
	for (size_t i = 0; i < count; i++)
		if (rows[i].value == value)
			return rows[i].name;
	return NULL;
}

#define NAME_OF(rows, value) name_of(rows, sizeof rows / sizeof rows[0], value)

const char *syscalls_any_name(long number, char *fallback, size_t fallback_size)
{
	const struct syscall_def *def = syscalls_find(number);
	if (def)
		return def->name;
	const char *name = NAME_OF(sleeper_names, number);
	if (name)
		return name;
	snprintf(fallback, fallback_size, "system call %ld", number);
	return fallback;
}

/* The filter's first instructions: calls of another ABI are allowed. */
static size_t build_arch_check(struct sock_filter *filter)
{
	filter[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						 offsetof(struct seccomp_data, arch));
	filter[1] =
		(struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_AUDIT_ARCH, 1, 0);
	filter[2] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	return 3;
}

/* Loads the call's number, then two instructions a row that `take`s. */
static size_t build_rows(struct sock_filter *filter, bool (*take)(const struct syscall_def *))
{
	size_t at = 0;
	filter[at++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						    offsetof(struct seccomp_data, nr));
	for (size_t i = 0; i < syscalls_count; i++) {
		if (!take(&syscalls_table[i]))
			continue;
		filter[at++] =
			(struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
						     (uint32_t)syscalls_table[i].number, 0, 1);
		filter[at++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
							    SECCOMP_RET_TRACE | (uint32_t)i);
	}
	filter[at++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	return at;
}

static bool every_row(const struct syscall_def *def)
{
	return def->show != SHOW_NEVER;
}

static bool not_fd_row(const struct syscall_def *def)
{
	return def->show != SHOW_IF_SOCKET;
}

static bool fd_row(const struct syscall_def *def)
{
	return def->show == SHOW_IF_SOCKET;
}

int syscalls_build_filter(struct sock_filter *filter, size_t capacity, bool per_fd)
{
	if (capacity < 2 * syscalls_count + 5)
		return -1;
	size_t at = build_arch_check(filter);
	at += build_rows(filter + at, per_fd ? not_fd_row : every_row);
	return (int)at;
}

int syscalls_build_fd_filter(struct sock_filter *filter, size_t capacity, int fd)
{
	if (capacity < 2 * syscalls_count + 7)
		return -1;
	size_t at = build_arch_check(filter);
	/* The kernel reads an fd argument as an unsigned int: the low half. */
	filter[at++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						    offsetof(struct seccomp_data, args[0]));
	filter[at++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)fd, 1, 0);
	filter[at++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	at += build_rows(filter + at, fd_row);
	return (int)at;
}

bool syscalls_copies_socket_fd(const struct syscall_def *def, pid_t task,
			       const uint64_t args[SYSCALL_MAX_ARGS])
{
	if (def->show != SHOW_NEVER)
		return false;
	if (def->number == SYS_fcntl && args[1] != F_DUPFD && args[1] != F_DUPFD_CLOEXEC)
		return false;
	return syscalls_socket_inode(task, (int)args[0]) != 0;
}

uint64_t syscalls_socket_inode(pid_t task, int fd)
{
	char path[64], link[64];
	if (fd < 0)
		return 0;
	snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)task, fd);
	ssize_t n = readlink(path, link, sizeof link - 1);
	if (n <= 0)
		return 0;
	link[n] = '\0';
	unsigned long long inode;
	if (sscanf(link, "socket:[%llu]", &inode) != 1)
		return 0;
	return inode;
}

size_t syscalls_read_memory(pid_t task, uint64_t address, void *out, size_t len)
{
	if (address == 0 || len == 0)
		return 0;
	struct iovec local = { .iov_base = out, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)address, .iov_len = len };
	ssize_t n = process_vm_readv(task, &local, 1, &remote, 1, 0);
	if (n > 0)
		return (size_t)n;
	/* process_vm_readv may be refused (a kernel built without it); the
	 * tracer may read /proc/PID/mem instead. */
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/mem", (int)task);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = pread(fd, out, len, (off_t)address);
	close(fd);
	return n > 0 ? (size_t)n : 0;
}

/* Whether any of up to `count` fds is a socket; asks /proc for at most a few dozen. */
static bool any_socket(pid_t task, const int *fds, size_t count)
{
	for (size_t i = 0; i < count && i < 64; i++)
		if (syscalls_socket_inode(task, fds[i]))
			return true;
	return false;
}

static size_t pollfd_list(pid_t task, const uint64_t args[], int *fds, size_t max)
{
	struct pollfd pollfds[64];
	size_t count = args[1] < max ? (size_t)args[1] : max;
	if (count > 64)
		count = 64;
	size_t got = syscalls_read_memory(task, args[0], pollfds, count * sizeof pollfds[0])
		/ sizeof pollfds[0];
	for (size_t i = 0; i < got; i++)
		fds[i] = pollfds[i].fd;
	return got;
}

static size_t fd_set_list(pid_t task, const uint64_t args[], int *fds, size_t max)
{
	size_t count = 0;
	int nfds = (int)args[0];
	if (nfds > 1024)
		nfds = 1024;
	if (nfds <= 0)
		return 0;
	for (int set = 1; set <= 3; set++) {
		unsigned char bits[128];
		size_t got = syscalls_read_memory(task, args[set], bits, ((size_t)nfds + 7) / 8);
		for (size_t fd = 0; fd < got * 8 && (int)fd < nfds && count < max; fd++)
			if (bits[fd / 8] & (1u << (fd % 8)))
				fds[count++] = (int)fd;
	}
	return count;
}

/* The fds an epoll instance watches: "tfd:" lines of /proc/TASK/fdinfo/EPFD. */
static size_t epoll_fd_list(pid_t task, int epoll_fd, int *fds, size_t max)
{
	char path[64], text[4096];
	snprintf(path, sizeof path, "/proc/%d/fdinfo/%d", (int)task, epoll_fd);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, text, sizeof text - 1);
	close(fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	size_t count = 0;
	for (const char *at = strstr(text, "tfd:"); at && count < max; at = strstr(at + 4, "tfd:"))
		fds[count++] = atoi(at + 4);
	return count;
}

bool syscalls_is_shown(const struct syscall_def *def, pid_t task,
		       const uint64_t args[SYSCALL_MAX_ARGS], uint64_t *inode)
{
	int fds[64];
	size_t count = 0;
	*inode = 0;
	switch (def->show) {
	case SHOW_ALWAYS:
		return true;
	case SHOW_IF_SOCKET:
		*inode = syscalls_socket_inode(task, (int)args[0]);
		return *inode != 0;
	case SHOW_NEVER:
		return false;
	case SHOW_IF_WATCHES_SOCKET:
		if (def->args[0] == SA_POLLFDS)
			count = pollfd_list(task, args, fds, 64);
		else if (def->args[1] == SA_FD_SET)
			count = fd_set_list(task, args, fds, 64);
		else
			count = epoll_fd_list(task, (int)args[0], fds, 64);
		return any_socket(task, fds, count);
	}
	return false;
}

/* ---- printing ---- */

static const struct name_row family_names[] = {
	NAME(AF_UNSPEC), NAME(AF_UNIX),    NAME(AF_INET),
	NAME(AF_INET6),  NAME(AF_NETLINK), NAME(AF_PACKET),
};
static const struct name_row type_names[] = {
	NAME(SOCK_STREAM), NAME(SOCK_DGRAM), NAME(SOCK_RAW), NAME(SOCK_SEQPACKET), NAME(SOCK_RDM),
};
static const struct name_row type_flag_names[] = { NAME(SOCK_NONBLOCK), NAME(SOCK_CLOEXEC) };
static const struct name_row inet_protocol_names[] = {
	NAME(IPPROTO_IP),   NAME(IPPROTO_TCP),    NAME(IPPROTO_UDP), NAME(IPPROTO_SCTP),
	NAME(IPPROTO_ICMP), NAME(IPPROTO_ICMPV6), NAME(IPPROTO_RAW),
};
static const struct name_row netlink_protocol_names[] = {
	NAME(NETLINK_ROUTE), NAME(NETLINK_USERSOCK), NAME(NETLINK_SOCK_DIAG), NAME(NETLINK_XFRM),
	NAME(NETLINK_SELINUX), NAME(NETLINK_AUDIT), NAME(NETLINK_NETFILTER), NAME(NETLINK_GENERIC),
	NAME(NETLINK_KOBJECT_UEVENT),
};
static const struct name_row message_flag_names[] = {
	NAME(MSG_OOB),        NAME(MSG_PEEK),     NAME(MSG_DONTROUTE),    NAME(MSG_CTRUNC),
	NAME(MSG_TRUNC),      NAME(MSG_DONTWAIT), NAME(MSG_EOR),          NAME(MSG_WAITALL),
	NAME(MSG_CONFIRM),    NAME(MSG_ERRQUEUE), NAME(MSG_NOSIGNAL),     NAME(MSG_MORE),
	NAME(MSG_WAITFORONE), NAME(MSG_FASTOPEN), NAME(MSG_CMSG_CLOEXEC),
};
static const struct name_row how_names[] = { NAME(SHUT_RD), NAME(SHUT_WR), NAME(SHUT_RDWR) };
static const struct name_row level_names[] = {
	NAME(SOL_SOCKET),  NAME(IPPROTO_IP),   NAME(IPPROTO_TCP),
	NAME(IPPROTO_UDP), NAME(IPPROTO_IPV6),
};
static const struct name_row socket_option_names[] = {
	NAME(SO_DEBUG),      NAME(SO_REUSEADDR),    NAME(SO_TYPE),     NAME(SO_ERROR),
	NAME(SO_DONTROUTE),  NAME(SO_BROADCAST),    NAME(SO_SNDBUF),   NAME(SO_RCVBUF),
	NAME(SO_KEEPALIVE),  NAME(SO_OOBINLINE),    NAME(SO_LINGER),   NAME(SO_REUSEPORT),
	NAME(SO_RCVLOWAT),   NAME(SO_SNDLOWAT),     NAME(SO_RCVTIMEO), NAME(SO_SNDTIMEO),
	NAME(SO_ACCEPTCONN), NAME(SO_PROTOCOL),     NAME(SO_DOMAIN),   NAME(SO_PASSCRED),
	NAME(SO_PEERCRED), NAME(SO_BINDTODEVICE), NAME(SO_PRIORITY), NAME(SO_MARK),
};
static const struct name_row tcp_option_names[] = {
	NAME(TCP_NODELAY),      NAME(TCP_MAXSEG),       NAME(TCP_CORK),     NAME(TCP_KEEPIDLE),
	NAME(TCP_KEEPINTVL),    NAME(TCP_KEEPCNT),      NAME(TCP_SYNCNT),   NAME(TCP_LINGER2),
	NAME(TCP_DEFER_ACCEPT), NAME(TCP_INFO),         NAME(TCP_QUICKACK), NAME(TCP_CONGESTION),
	NAME(TCP_FASTOPEN),     NAME(TCP_USER_TIMEOUT),
};
static const struct name_row ip_option_names[] = {
	NAME(IP_TOS),
	NAME(IP_TTL),
	NAME(IP_HDRINCL),
	NAME(IP_OPTIONS),
	NAME(IP_RECVERR),
	NAME(IP_MULTICAST_TTL),
	NAME(IP_MULTICAST_LOOP),
	NAME(IP_ADD_MEMBERSHIP),
	NAME(IP_BIND_ADDRESS_NO_PORT),
};
static const struct name_row ipv6_option_names[] = {
	NAME(IPV6_V6ONLY), NAME(IPV6_UNICAST_HOPS), NAME(IPV6_MULTICAST_HOPS), NAME(IPV6_RECVERR),
	NAME(IPV6_TCLASS),
};
static const struct name_row poll_event_names[] = {
	NAME(POLLIN), NAME(POLLPRI), NAME(POLLOUT), NAME(POLLERR), NAME(POLLHUP), NAME(POLLNVAL),
	NAME(POLLRDNORM), NAME(POLLRDBAND), NAME(POLLWRNORM), NAME(POLLWRBAND), NAME(POLLRDHUP),
};
static const struct name_row epoll_event_names[] = {
	NAME(EPOLLIN),  NAME(EPOLLPRI),   NAME(EPOLLOUT), NAME(EPOLLERR),
	NAME(EPOLLHUP), NAME(EPOLLRDHUP), NAME(EPOLLET),  NAME(EPOLLONESHOT),
};

/* Option names by level: SO_REUSEADDR and TCP_MAXSEG are both 2. */
static const struct {
	int level;
	const struct name_row *rows;
	size_t count;
} option_tables[] = {
	{ SOL_SOCKET, socket_option_names,
	  sizeof socket_option_names / sizeof socket_option_names[0] },
	{ IPPROTO_TCP, tcp_option_names, sizeof tcp_option_names / sizeof tcp_option_names[0] },
	{ IPPROTO_IP, ip_option_names, sizeof ip_option_names / sizeof ip_option_names[0] },
	{ IPPROTO_IPV6, ipv6_option_names, sizeof ipv6_option_names / sizeof ipv6_option_names[0] },
};

/* Bytes shown in the text before "...", as strace's -s 32 (the event keeps them all). */
#define SHOWN_BYTES 40

struct format {
	char *out;
	size_t size, len;
	pid_t task;
	const uint64_t *args;
	bool at_exit;
	long ret;
	struct tracer_event *event;
	bool netlink_asked;          /* netlink_protocol holds the answer */
	int netlink_protocol;        /* the socket's (argument 0's), -1 not a netlink socket */
};

static void __attribute__((format(printf, 2, 3))) put(struct format *f, const char *fmt, ...)
{
	if (f->len + 1 >= f->size)
		return;
	va_list list;
	va_start(list, fmt);
	int n = vsnprintf(f->out + f->len, f->size - f->len, fmt, list);
	va_end(list);
	if (n < 0)
		return;
	f->len += (size_t)n;
	if (f->len >= f->size) {
		f->len = f->size - 1;
		memcpy(f->out + f->size - 4, "...", 4);
	}
}

static void put_name(struct format *f, const struct name_row *rows, size_t count, long value)
{
	const char *name = name_of(rows, count, value);
	if (name)
		put(f, "%s", name);
	else
		put(f, "%ld", value);
}

/* "A|B|0x40" for a bit set; "0" when empty. */
static void put_flags(struct format *f, const struct name_row *rows, size_t count,
		      unsigned long value)
{
	if (value == 0) {
		put(f, "0");
		return;
	}
	const char *bar = "";
	for (size_t i = 0; i < count; i++) {
		if (rows[i].value
		    && (value & (unsigned long)rows[i].value) == (unsigned long)rows[i].value) {
			put(f, "%s%s", bar, rows[i].name);
			value &= ~(unsigned long)rows[i].value;
			bar = "|";
		}
	}
	if (value)
		put(f, "%s%#lx", bar, value);
}

#define PUT_NAME(f, rows, value) put_name(f, rows, sizeof rows / sizeof rows[0], value)
#define PUT_FLAGS(f, rows, value) put_flags(f, rows, sizeof rows / sizeof rows[0], value)

static void put_pointer(struct format *f, uint64_t pointer)
{
	if (pointer)
		put(f, "%#llx", (unsigned long long)pointer);
	else
		put(f, "NULL");
}

/* `"Hello, world"` for `total` bytes of which `len` could be read, cut
 * after SHOWN_BYTES with "...". */
static void put_bytes(struct format *f, const unsigned char *bytes, size_t len, size_t total)
{
	char shown[SHOWN_BYTES * 4 + 8];
	size_t show = len < SHOWN_BYTES ? len : SHOWN_BYTES;
	text_escape(bytes, show, shown, sizeof shown);
	put(f, "\"%s\"%s", shown, show < total ? "..." : "");
}

/* The netlink protocol of task's socket `fd` (NETLINK_ROUTE ...), or -1
 * when it is another kind or the kernel does not list it. sockfs names a
 * socket's kind in an attribute ("NETLINK", "TCP"); /proc/TASK/net/netlink
 * lists the netlink sockets that have a port (bound, or bound by the kernel
 * at their first send) by inode, with their protocol in column "Eth". The
 * decoder runs in the tracing process, which keeps no fd table of its own. */
static int netlink_protocol_of(pid_t task, int fd)
{
	char path[64], kind[16], line[256];
	snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)task, fd);
	ssize_t n = getxattr(path, "system.sockprotoname", kind, sizeof kind - 1);
	if (n <= 0)
		return -1;
	kind[n] = '\0';
	uint64_t inode = strcmp(kind, "NETLINK") == 0 ? syscalls_socket_inode(task, fd) : 0;
	snprintf(path, sizeof path, "/proc/%d/net/netlink", (int)task);
	FILE *list = inode ? fopen(path, "re") : NULL;
	int protocol = -1;
	while (list && protocol < 0 && fgets(line, sizeof line, list)) {
		/* sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode */
		unsigned long long row_inode;
		int row_protocol;
		int fields = sscanf(line, "%*s %d %*u %*x %*d %*d %*d %*d %*u %llu", &row_protocol,
				    &row_inode);
		if (fields == 2 && row_inode == inode)
			protocol = row_protocol;
	}
	if (list)
		fclose(list);
	return protocol;
}

/* The protocol of the call's socket when it is a netlink one, else -1; asked once a call. */
static int call_netlink_protocol(struct format *f)
{
	if (!f->netlink_asked) {
		f->netlink_asked = true;
		f->netlink_protocol = netlink_protocol_of(f->task, (int)f->args[0]);
	}
	return f->netlink_protocol;
}

/* Characters a buffer's netlink messages leave for the rest of the call
 * (recvmsg's msg_flags and result). */
#define NETLINK_TAIL_ROOM 72

/* A buffer of the call: its netlink messages on a netlink socket
 * (netlink_text.h), else its bytes. */
static void put_buffer(struct format *f, const unsigned char *bytes, size_t len, size_t total)
{
	char messages[TRACER_TEXT_MAX];
	size_t left = f->size - f->len;
	size_t room = left > NETLINK_TAIL_ROOM ? left - NETLINK_TAIL_ROOM : 0;
	if (room > sizeof messages)
		room = sizeof messages;
	/* Bytes that cannot be messages need no look at the socket's kind (a
	 * system call or two on every send and receive). */
	int protocol = netlink_text_could_be(bytes, len, total) ? call_netlink_protocol(f) : -1;
	if (protocol >= 0 && netlink_text(protocol, bytes, len, total, messages, room)) {
		put(f, "%s", messages);
		f->event->bytes_decoded = f->at_exit;
	} else
		put_bytes(f, bytes, len, total);
}

/* Reads a sockaddr and prints "{AF_INET, 127.0.0.1:65432}"; keeps its value in `value`. */
static void put_sockaddr(struct format *f, uint64_t pointer, socklen_t len,
			 struct lab_address *value)
{
	struct sockaddr_storage address;
	memset(&address, 0, sizeof address);
	if (len > sizeof address)
		len = sizeof address;
	size_t got = syscalls_read_memory(f->task, pointer, &address, len);
	if (got < sizeof(sa_family_t)) {
		put_pointer(f, pointer);
		return;
	}
	struct lab_address read;
	lab_address_from_sockaddr((struct sockaddr *)&address, (socklen_t)got, &read);
	put(f, "{");
	PUT_NAME(f, family_names, address.ss_family);
	put(f, ", %s}", lab_address_shown(&read).text);
	if (value)
		*value = read;
}

static void print_fd(struct format *f, int i) { put(f, "%d", (int)f->args[i]); }
static void print_int(struct format *f, int i) { put(f, "%d", (int)f->args[i]); }
static void print_size(struct format *f, int i) { put(f, "%llu", (unsigned long long)f->args[i]); }
static void print_family(struct format *f, int i) { PUT_NAME(f, family_names, (int)f->args[i]); }
static void print_how(struct format *f, int i) { PUT_NAME(f, how_names, (int)f->args[i]); }
static void print_level(struct format *f, int i) { PUT_NAME(f, level_names, (int)f->args[i]); }
static void print_pointer(struct format *f, int i) { put_pointer(f, f->args[i]); }
static void print_message_flags(struct format *f, int i)
{
	PUT_FLAGS(f, message_flag_names, (unsigned)f->args[i]);
}
static void print_sock_flags(struct format *f, int i)
{
	PUT_FLAGS(f, type_flag_names, (unsigned)f->args[i]);
}

static void print_type(struct format *f, int i)
{
	unsigned type = (unsigned)f->args[i];
	PUT_NAME(f, type_names, type & 0xf);
	if (type & ~0xfu) {
		put(f, "|");
		PUT_FLAGS(f, type_flag_names, type & ~0xfu);
	}
}

static void print_protocol(struct format *f, int i)
{
	int family = (int)f->args[0];
	if (family == AF_INET || family == AF_INET6)
		PUT_NAME(f, inet_protocol_names, (int)f->args[i]);
	else if (family == AF_NETLINK)
		PUT_NAME(f, netlink_protocol_names, (int)f->args[i]);
	else
		put(f, "%d", (int)f->args[i]);
}

static void print_option(struct format *f, int i)
{
	for (size_t t = 0; t < sizeof option_tables / sizeof option_tables[0]; t++)
		if (option_tables[t].level == (int)f->args[i - 1]) {
			put_name(f, option_tables[t].rows, option_tables[t].count, (int)f->args[i]);
			return;
		}
	put(f, "%d", (int)f->args[i]);
}

static void print_address_in(struct format *f, int i)
{
	if (!f->args[i]) {
		put(f, "NULL");
		return;
	}
	put_sockaddr(f, f->args[i], (socklen_t)f->args[i + 1],
		     f->at_exit ? NULL : &f->event->target);
}

/* The length a value-result argument holds now (the kernel rewrote it at exit). */
static socklen_t length_at(struct format *f, int i)
{
	socklen_t len = 0;
	if (syscalls_read_memory(f->task, f->args[i], &len, sizeof len) != sizeof len)
		return 0;
	return len;
}

static void print_address_out(struct format *f, int i)
{
	if (!f->args[i])
		put(f, "NULL");
	else if (!f->at_exit)
		put(f, "...");
	else if (f->ret < 0)
		put_pointer(f, f->args[i]);
	else
		put_sockaddr(f, f->args[i], length_at(f, i + 1), &f->event->address);
}

static void print_length_pointer(struct format *f, int i)
{
	if (!f->args[i] || (f->at_exit && f->ret < 0)) {
		put_pointer(f, f->args[i]);
		return;
	}
	put(f, "[%u]", (unsigned)length_at(f, i));
}

static void print_bytes_in(struct format *f, int i)
{
	struct tracer_event *event = f->event;
	if (!f->args[i]) {
		put(f, "NULL");
		return;
	}
	size_t total = (size_t)f->args[i + 1];
	size_t want = total < TRACER_MAX_BYTES ? total : TRACER_MAX_BYTES;
	if (f->at_exit && want > SHOWN_BYTES && call_netlink_protocol(f) < 0)
		want = SHOWN_BYTES;       /* RETURNED carries bytes received only: these
		                             are for the text */
	size_t got = syscalls_read_memory(f->task, f->args[i], event->bytes, want);
	event->bytes_len = f->at_exit ? 0 : (uint32_t)got;
	put_buffer(f, event->bytes, got, total);
}

static void print_bytes_out(struct format *f, int i)
{
	struct tracer_event *event = f->event;
	if (!f->args[i]) {
		put(f, "NULL");
		return;
	}
	if (!f->at_exit) {
		put(f, "...");
		return;
	}
	if (f->ret < 0) {
		put_pointer(f, f->args[i]);
		return;
	}
	size_t want = (size_t)f->ret < TRACER_MAX_BYTES ? (size_t)f->ret : TRACER_MAX_BYTES;
	event->bytes_len = (uint32_t)syscalls_read_memory(f->task, f->args[i], event->bytes, want);
	put_buffer(f, event->bytes, event->bytes_len, (size_t)f->ret);
}

/* An option's value: [1] for an int, {l_onoff=1, l_linger=0} for SO_LINGER. */
static void put_option_value(struct format *f, uint64_t pointer, socklen_t len)
{
	if (len == sizeof(int)) {
		int value = 0;
		if (syscalls_read_memory(f->task, pointer, &value, sizeof value) == sizeof value) {
			put(f, "[%d]", value);
			return;
		}
	} else if (len == sizeof(struct linger)) {
		struct linger linger;
		if (syscalls_read_memory(f->task, pointer, &linger,
					 sizeof linger) == sizeof linger) {
			put(f, "{l_onoff=%d, l_linger=%d}", linger.l_onoff, linger.l_linger);
			return;
		}
	}
	put_pointer(f, pointer);
}

static void print_option_in(struct format *f, int i)
{
	put_option_value(f, f->args[i], (socklen_t)f->args[i + 1]);
}

static void print_option_out(struct format *f, int i)
{
	if (!f->at_exit)
		put(f, "...");
	else if (f->ret < 0 || !f->args[i + 1])
		put_pointer(f, f->args[i]);
	else
		put_option_value(f, f->args[i], length_at(f, i + 1));
}

/* The iovecs at `pointer`, each as its bytes: ["two ", "parts"]. Going
 * out, all of them; coming in, only the `limit` bytes the kernel filled.
 * Their bytes are added to the event's. Returns how many bytes they hold
 * (within `limit`). */
static size_t put_iovecs(struct format *f, uint64_t pointer, size_t count, size_t limit)
{
	struct tracer_event *event = f->event;
	struct iovec iov[16];
	size_t shown = count < 16 ? count : 16;
	shown = syscalls_read_memory(f->task, pointer, iov, shown * sizeof iov[0]) / sizeof iov[0];
	size_t total = 0, k = 0;
	put(f, "[");
	for (; k < shown && (k == 0 || total < limit); k++) {   /* the first even
	                                                           when empty: [""] */
		size_t len = iov[k].iov_len < limit - total ? iov[k].iov_len : limit - total;
		size_t room = TRACER_MAX_BYTES - event->bytes_len;
		unsigned char *at = event->bytes + event->bytes_len;
		size_t got = syscalls_read_memory(f->task, (uint64_t)(uintptr_t)iov[k].iov_base, at,
						  len < room ? len : room);
		event->bytes_len += (uint32_t)got;
		put(f, "%s", k ? ", " : "");
		put_buffer(f, at, got, len);
		total += len;
	}
	put(f, "%s]", k < count && total < limit ? ", ..." : "");
	return total;
}

/* sendmsg/recvmsg: the header, the name, and the bytes of every iovec. */
static void put_msghdr(struct format *f, int i, bool filled_by_kernel)
{
	struct tracer_event *event = f->event;
	struct msghdr header;
	if (syscalls_read_memory(f->task, f->args[i], &header, sizeof header) != sizeof header) {
		put_pointer(f, f->args[i]);
		return;
	}
	bool known = !filled_by_kernel || f->at_exit;
	put(f, "{msg_name=");
	if (!header.msg_name)
		put(f, "NULL");
	else if (!known || f->ret < 0)
		put(f, "...");
	else
		put_sockaddr(f, (uint64_t)(uintptr_t)header.msg_name, header.msg_namelen,
			     filled_by_kernel ? &event->address : &event->target);
	if (header.msg_name)
		event->call = filled_by_kernel ? CALL_RECVFROM : CALL_SENDTO;
	event->bytes_len = 0;
	if (known && (!filled_by_kernel || f->ret >= 0)) {
		put(f, ", msg_iov=");
		put_iovecs(f, (uint64_t)(uintptr_t)header.msg_iov, header.msg_iovlen,
			   filled_by_kernel ? (size_t)f->ret : (size_t)-1);
		put(f, ", msg_iovlen=%zu", (size_t)header.msg_iovlen);
	} else {
		put(f, ", msg_iov=..., msg_iovlen=%zu", (size_t)header.msg_iovlen);
	}
	put(f, ", msg_controllen=%zu, msg_flags=", (size_t)header.msg_controllen);
	PUT_FLAGS(f, message_flag_names, (unsigned)header.msg_flags);
	put(f, "}");
	if (f->at_exit && !filled_by_kernel)
		event->bytes_len = 0;     /* RETURNED carries bytes received only */
}

static void print_msghdr_in(struct format *f, int i) { put_msghdr(f, i, false); }
static void print_msghdr_out(struct format *f, int i) { put_msghdr(f, i, true); }

/* Messages shown of a sendmmsg/recvmmsg vector before ", ...": the text
 * holds three with their names and bytes. */
#define SHOWN_MESSAGES 3

/* The bytes of the first `count` messages of a vector: the msg_len the kernel wrote into each. */
static uint64_t message_bytes(pid_t task, uint64_t pointer, size_t count)
{
	struct mmsghdr chunk[16];
	uint64_t total = 0;
	for (size_t at = 0; at < count;) {
		size_t want = count - at < 16 ? count - at : 16;
		size_t got = syscalls_read_memory(task, pointer + at * sizeof chunk[0], chunk,
						  want * sizeof chunk[0])
			/ sizeof chunk[0];
		if (got == 0)
			break;
		for (size_t k = 0; k < got; k++)
			total += chunk[k].msg_len;
		at += got;
	}
	return total;
}

/* sendmmsg/recvmmsg: each message's name and iovecs, and at exit its
 * msg_len, the bytes the kernel took or gave: [{msg_iov=["ping"],
 * msg_len=4}, ...]. A vector coming in is known at exit, ret messages of it. */
static void put_mmsghdrs(struct format *f, int i, bool filled_by_kernel)
{
	struct tracer_event *event = f->event;
	size_t vlen = (size_t)f->args[i + 1];
	if (filled_by_kernel && !f->at_exit) {
		put(f, "...");
		return;
	}
	if (f->at_exit && f->ret < 0) {
		put_pointer(f, f->args[i]);
		return;
	}
	size_t count = filled_by_kernel ? (size_t)f->ret : vlen;
	struct mmsghdr messages[SHOWN_MESSAGES];
	size_t shown = count < SHOWN_MESSAGES ? count : SHOWN_MESSAGES;
	shown = syscalls_read_memory(f->task, f->args[i], messages, shown * sizeof messages[0])
		/ sizeof messages[0];
	if (shown == 0 && count > 0) {
		put_pointer(f, f->args[i]);
		return;
	}
	event->bytes_len = 0;
	put(f, "[");
	for (size_t k = 0; k < shown; k++) {
		const struct msghdr *header = &messages[k].msg_hdr;
		bool went = f->at_exit && (long)k < f->ret;   /* the kernel wrote its msg_len */
		put(f, "%s{", k ? ", " : "");
		if (header->msg_name) {
			/* The first message's name is the call's address (sendto's, recvfrom's). */
			struct lab_address *value = NULL;
			if (k == 0)
				value = filled_by_kernel ? &event->address : &event->target;
			put(f, "msg_name=");
			put_sockaddr(f, (uint64_t)(uintptr_t)header->msg_name, header->msg_namelen,
				     value);
			put(f, ", ");
		}
		put(f, "msg_iov=");
		put_iovecs(f, (uint64_t)(uintptr_t)header->msg_iov, header->msg_iovlen,
			   filled_by_kernel ? messages[k].msg_len : (size_t)-1);
		if (went)
			put(f, ", msg_len=%u", messages[k].msg_len);
		put(f, "}");
	}
	put(f, "%s]", shown < count ? ", ..." : "");
	if (f->at_exit)
		event->message_bytes = message_bytes(f->task, f->args[i], (size_t)f->ret);
	if (f->at_exit && !filled_by_kernel)
		event->bytes_len = 0;     /* RETURNED carries bytes received only */
}

static void print_mmsghdr_in(struct format *f, int i) { put_mmsghdrs(f, i, false); }
static void print_mmsghdr_out(struct format *f, int i) { put_mmsghdrs(f, i, true); }

static void print_fd_pair(struct format *f, int i)
{
	int pair[2];
	if (!f->at_exit) {
		put(f, "...");
		return;
	}
	if (f->ret < 0
	    || syscalls_read_memory(f->task, f->args[i], pair, sizeof pair) != sizeof pair) {
		put_pointer(f, f->args[i]);
		return;
	}
	put(f, "[%d, %d]", pair[0], pair[1]);
	f->event->result_inode = syscalls_socket_inode(f->task, pair[0]);
	for (int k = 0; k < 2; k++) {
		f->event->pair[k] = pair[k];
		f->event->pair_inodes[k] = syscalls_socket_inode(f->task, pair[k]);
	}
}

static void print_pollfds(struct format *f, int i)
{
	struct pollfd pollfds[16];
	size_t count = f->args[i + 1] < 16 ? (size_t)f->args[i + 1] : 16;
	count = syscalls_read_memory(f->task, f->args[i], pollfds, count * sizeof pollfds[0])
		/ sizeof pollfds[0];
	if (!count) {
		put_pointer(f, f->args[i]);
		return;
	}
	put(f, "[");
	for (size_t k = 0; k < count; k++) {
		put(f, "%s{fd=%d, events=", k ? ", " : "", pollfds[k].fd);
		PUT_FLAGS(f, poll_event_names, (unsigned short)pollfds[k].events);
		if (f->at_exit && pollfds[k].revents) {
			put(f, ", revents=");
			PUT_FLAGS(f, poll_event_names, (unsigned short)pollfds[k].revents);
		}
		put(f, "}");
	}
	put(f, "%s]", count < f->args[i + 1] ? ", ..." : "");
}

/* An fd_set as strace prints it: [3 4]. At exit the kernel has left only the ready fds. */
static void print_fd_set(struct format *f, int i)
{
	unsigned char bits[128];
	int nfds = (int)f->args[0];
	if (!f->args[i]) {
		put(f, "NULL");
		return;
	}
	if (nfds > 1024)
		nfds = 1024;
	size_t got = nfds > 0
		? syscalls_read_memory(f->task, f->args[i], bits, ((size_t)nfds + 7) / 8)
		: 0;
	put(f, "%s[", f->at_exit && f->ret >= 0 ? "ready " : "");
	const char *space = "";
	for (size_t fd = 0; fd < got * 8 && (int)fd < nfds; fd++)
		if (bits[fd / 8] & (1u << (fd % 8))) {
			put(f, "%s%zu", space, fd);
			space = " ";
		}
	put(f, "]");
}

static void print_timeout_ms(struct format *f, int i) { put(f, "%d", (int)f->args[i]); }

/* Timeouts: the kernel rewrites select's and ppoll's with the time left,
 * so at exit that is what they say. */
static void print_timeval(struct format *f, int i)
{
	struct { long sec, usec; } value;
	if (f->args[i]
	    && syscalls_read_memory(f->task, f->args[i], &value, sizeof value) == sizeof value)
		put(f, "%s{tv_sec=%ld, tv_usec=%ld}", f->at_exit ? "left " : "", value.sec,
		    value.usec);
	else
		put_pointer(f, f->args[i]);
}

static void print_timespec(struct format *f, int i)
{
	struct { long sec, nsec; } value;
	if (f->args[i]
	    && syscalls_read_memory(f->task, f->args[i], &value, sizeof value) == sizeof value)
		put(f, "%s{tv_sec=%ld, tv_nsec=%ld}", f->at_exit ? "left " : "", value.sec,
		    value.nsec);
	else
		put_pointer(f, f->args[i]);
}

static void print_epoll_events(struct format *f, int i)
{
	struct epoll_event events[8];
	if (!f->at_exit) {
		put(f, "...");
		return;
	}
	if (f->ret <= 0) {
		put(f, f->ret == 0 ? "[]" : "...");
		return;
	}
	size_t count = (size_t)f->ret < 8 ? (size_t)f->ret : 8;
	count = syscalls_read_memory(f->task, f->args[i], events, count * sizeof events[0])
		/ sizeof events[0];
	put(f, "[");
	for (size_t k = 0; k < count; k++) {
		put(f, "%s{events=", k ? ", " : "");
		PUT_FLAGS(f, epoll_event_names, events[k].events);
		put(f, ", data=%#llx}", (unsigned long long)events[k].data.u64);
	}
	put(f, "%s]", count < (size_t)f->ret ? ", ..." : "");
}

typedef void arg_printer(struct format *f, int index);

static arg_printer *const printers[SA_KIND_COUNT] = {
	[SA_FD] = print_fd,
	[SA_INT] = print_int,
	[SA_SIZE] = print_size,
	[SA_FAMILY] = print_family,
	[SA_TYPE] = print_type,
	[SA_PROTOCOL] = print_protocol,
	[SA_ADDRESS_IN] = print_address_in,
	[SA_ADDRESS_OUT] = print_address_out,
	[SA_LENGTH_POINTER] = print_length_pointer,
	[SA_BYTES_IN] = print_bytes_in,
	[SA_BYTES_OUT] = print_bytes_out,
	[SA_MSG_FLAGS] = print_message_flags,
	[SA_SOCK_FLAGS] = print_sock_flags,
	[SA_HOW] = print_how,
	[SA_LEVEL] = print_level,
	[SA_OPTION] = print_option,
	[SA_OPTION_IN] = print_option_in,
	[SA_OPTION_OUT] = print_option_out,
	[SA_MSGHDR_IN] = print_msghdr_in,
	[SA_MSGHDR_OUT] = print_msghdr_out,
	[SA_MMSGHDR_IN] = print_mmsghdr_in,
	[SA_MMSGHDR_OUT] = print_mmsghdr_out,
	[SA_FD_PAIR] = print_fd_pair,
	[SA_POLLFDS] = print_pollfds,
	[SA_FD_SET] = print_fd_set,
	[SA_TIMEOUT_MS] = print_timeout_ms,
	[SA_TIMEVAL] = print_timeval,
	[SA_TIMESPEC] = print_timespec,
	[SA_EPOLL_EVENTS] = print_epoll_events,
	[SA_POINTER] = print_pointer,
};

static void format_call(const struct syscall_def *def, struct format *f)
{
	put(f, "%s(", def->name);
	for (int i = 0; i < def->arg_count; i++) {
		if (i)
			put(f, ", ");
		arg_printer *printer = printers[def->args[i]];
		if (printer)
			printer(f, i);
		else
			put(f, "%#llx", (unsigned long long)f->args[i]);
	}
	put(f, ")");
}

static void fill_common(const struct syscall_def *def, const uint64_t args[],
			struct tracer_event *event)
{
	snprintf(event->name, sizeof event->name, "%s", def->name);
	event->syscall = def->number;
	event->fd = def->fd_arg >= 0 ? (int)args[def->fd_arg] : -1;
	event->call = def->call;
	if (def->address_arg > 0 && args[def->address_arg] && def->call_with_address >= 0)
		event->call = def->call_with_address;
}

void syscalls_decode_entry(const struct syscall_def *def, pid_t task,
			   const uint64_t args[SYSCALL_MAX_ARGS], struct tracer_event *event)
{
	fill_common(def, args, event);
	if (event->inode == 0 && def->fd_arg >= 0)
		event->inode = syscalls_socket_inode(task, event->fd);
	event->target = lab_address_of_kind(LAB_ADDRESS_EMPTY);
	event->bytes_len = 0;
	struct format f = { .out = event->text, .size = sizeof event->text, .task = task,
			    .args = args, .event = event };
	format_call(def, &f);
}

void syscalls_decode_exit(const struct syscall_def *def, pid_t task,
			  const uint64_t args[SYSCALL_MAX_ARGS], long ret, int error,
			  struct tracer_event *event)
{
	fill_common(def, args, event);
	event->ret = ret;
	event->error = error;
	event->address = lab_address_of_kind(LAB_ADDRESS_EMPTY);
	event->bytes_len = 0;
	event->result_inode =
		def->returns_fd && ret >= 0 ? syscalls_socket_inode(task, (int)ret) : 0;
	event->pair[0] = event->pair[1] = -1;
	event->pair_inodes[0] = event->pair_inodes[1] = 0;
	event->message_bytes = 0;
	bool makes_sockets = def->call == CALL_SOCKET || def->call == CALL_SOCKETPAIR;
	event->family = makes_sockets ? (int)args[0] : 0;
	/* SOCK_NONBLOCK, SOCK_CLOEXEC left out */
	event->type = makes_sockets ? (int)(args[1] & 0xf) : 0;
	struct format f = { .out = event->text,
			    .size = sizeof event->text,
			    .task = task,
			    .args = args,
			    .at_exit = true,
			    .ret = ret,
			    .event = event };
	format_call(def, &f);
	if (ret >= 0) {
		put(&f, " = %ld", ret);
		return;
	}
	const char *name = strerrorname_np(error);
	put(&f, " = -1 %s (%s)", name ? name : "E?", strerror(error));
}
