/* puppet — the only code that makes the lab's socket calls. */
#include "puppet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "text.h"


typedef void run_fn(const struct puppet_request *request, struct puppet_reply *reply);

static void finish(struct puppet_reply *reply, long ret)
{
	reply->ret = ret;
	reply->error = ret < 0 ? errno : 0;
}

static void run_socket(const struct puppet_request *request, struct puppet_reply *reply)
{
	finish(reply,
	       socket((int)request->numbers[0], (int)request->numbers[1],
		      (int)request->numbers[2]));
}

static void run_bind(const struct puppet_request *request, struct puppet_reply *reply)
{
	finish(reply,
	       bind(request->fd, (const struct sockaddr *)&request->address, request->address_len));
}

static void run_listen(const struct puppet_request *request, struct puppet_reply *reply)
{
	finish(reply, listen(request->fd, (int)request->numbers[0]));
}

static void run_accept(const struct puppet_request *request, struct puppet_reply *reply)
{
	reply->address_len = sizeof reply->address;
	finish(reply,
	       accept4(request->fd, (struct sockaddr *)&reply->address, &reply->address_len, 0));
	if (reply->ret < 0)
		reply->address_len = 0;
}

static void run_connect(const struct puppet_request *request, struct puppet_reply *reply)
{
	finish(reply,
	       connect(request->fd, (const struct sockaddr *)&request->address,
		       request->address_len));
}

static void run_send(const struct puppet_request *request, struct puppet_reply *reply)
{
	finish(reply,
	       send(request->fd, request->bytes, request->bytes_len, (int)request->numbers[0]));
}

/* Python's sendall: send() until every byte is queued or an error. */
static void run_sendall(const struct puppet_request *request, struct puppet_reply *reply)
{
	size_t sent = 0;
	while (sent < request->bytes_len) {
		ssize_t n = send(request->fd, request->bytes + sent, request->bytes_len - sent, 0);
		if (n < 0) {
			finish(reply, -1);
			return;
		}
		sent += (size_t)n;
	}
	finish(reply, (long)sent);
}

static void run_recv(const struct puppet_request *request, struct puppet_reply *reply)
{
	size_t max = (size_t)request->numbers[0];
	if (max > sizeof reply->bytes)
		max = sizeof reply->bytes;
	finish(reply, recv(request->fd, reply->bytes, max, (int)request->numbers[1]));
	reply->bytes_len = reply->ret > 0 ? (uint32_t)reply->ret : 0;
}

static void run_sendto(const struct puppet_request *request, struct puppet_reply *reply)
{
	finish(reply, sendto(request->fd, request->bytes, request->bytes_len, 0,
			     (const struct sockaddr *)&request->address, request->address_len));
}

static void run_recvfrom(const struct puppet_request *request, struct puppet_reply *reply)
{
	size_t max = (size_t)request->numbers[0];
	if (max > sizeof reply->bytes)
		max = sizeof reply->bytes;
	reply->address_len = sizeof reply->address;
	finish(reply, recvfrom(request->fd, reply->bytes, max, (int)request->numbers[1],
			       (struct sockaddr *)&reply->address, &reply->address_len));
	reply->bytes_len = reply->ret > 0 ? (uint32_t)reply->ret : 0;
	if (reply->ret < 0)
		reply->address_len = 0;
}

static void run_shutdown(const struct puppet_request *request, struct puppet_reply *reply)
{
	finish(reply, shutdown(request->fd, (int)request->numbers[0]));
}

static void run_close(const struct puppet_request *request, struct puppet_reply *reply)
{
	finish(reply, close(request->fd));
}

static void run_setsockopt(const struct puppet_request *request, struct puppet_reply *reply)
{
	int level = (int)request->numbers[0], option = (int)request->numbers[1];
	if (level == SOL_SOCKET && option == SO_LINGER) {
		struct linger linger = { .l_onoff = (int)request->numbers[2],
					 .l_linger = (int)request->numbers[3] };
		finish(reply, setsockopt(request->fd, level, option, &linger, sizeof linger));
		return;
	}
	int value = (int)request->numbers[2];
	finish(reply, setsockopt(request->fd, level, option, &value, sizeof value));
}

static void run_getsockopt(const struct puppet_request *request, struct puppet_reply *reply)
{
	int level = (int)request->numbers[0], option = (int)request->numbers[1];
	if (level == SOL_SOCKET && option == SO_LINGER) {
		struct linger linger = { 0 };
		socklen_t len = sizeof linger;
		finish(reply, getsockopt(request->fd, level, option, &linger, &len));
		reply->value = linger.l_onoff;
		reply->value2 = linger.l_linger;
		return;
	}
	int value = 0;
	socklen_t len = sizeof value;
	finish(reply, getsockopt(request->fd, level, option, &value, &len));
	reply->value = value;
}

static void run_getsockname(const struct puppet_request *request, struct puppet_reply *reply)
{
	reply->address_len = sizeof reply->address;
	finish(reply,
	       getsockname(request->fd, (struct sockaddr *)&reply->address, &reply->address_len));
	if (reply->ret < 0)
		reply->address_len = 0;
}

static void run_getpeername(const struct puppet_request *request, struct puppet_reply *reply)
{
	reply->address_len = sizeof reply->address;
	finish(reply,
	       getpeername(request->fd, (struct sockaddr *)&reply->address, &reply->address_len));
	if (reply->ret < 0)
		reply->address_len = 0;
}

static void run_fcntl(const struct puppet_request *request, struct puppet_reply *reply)
{
	int command = (int)request->numbers[0];
	if (command == F_SETFL) {
		finish(reply, fcntl(request->fd, F_SETFL, (int)request->numbers[1]));
		return;
	}
	finish(reply, fcntl(request->fd, command));
	reply->value = reply->ret;
}

static void run_unlink(const struct puppet_request *request, struct puppet_reply *reply)
{
	finish(reply, unlink((const char *)request->bytes));
}

static struct timespec *timeout_of(long milliseconds, struct timespec *storage)
{
	if (milliseconds < 0)
		return NULL;   /* wait for ever */
	storage->tv_sec = milliseconds / 1000;
	storage->tv_nsec = (milliseconds % 1000) * 1000000;
	return storage;
}

/* poll() through ppoll: the same system call on every architecture, so
 * the blocked check knows which one it sleeps in. Watches POLLIN. */
static void run_poll(const struct puppet_request *request, struct puppet_reply *reply)
{
	struct pollfd watched[PUPPET_MAX_WATCHED];
	struct timespec storage;
	int count = request->fd_count < PUPPET_MAX_WATCHED ? request->fd_count : PUPPET_MAX_WATCHED;
	for (int i = 0; i < count; i++)
		watched[i] = (struct pollfd){ .fd = request->fds[i], .events = POLLIN };
	finish(reply,
	       ppoll(watched, (nfds_t)count, timeout_of(request->numbers[0], &storage), NULL));
	for (int i = 0; i < count && reply->ret > 0; i++)
		if (watched[i].revents) {
			reply->ready_fd[reply->ready_count] = watched[i].fd;
			reply->ready_events[reply->ready_count++] = (uint32_t)watched[i].revents;
		}
}

static void run_select(const struct puppet_request *request, struct puppet_reply *reply)
{
	fd_set readable;
	struct timespec storage;
	int highest = -1,
	    count = request->fd_count < PUPPET_MAX_WATCHED ? request->fd_count : PUPPET_MAX_WATCHED;
	FD_ZERO(&readable);
	for (int i = 0; i < count; i++) {
		if (request->fds[i] < 0 || request->fds[i] >= FD_SETSIZE) {
			errno = EBADF;
			finish(reply, -1);
			return;
		}
		FD_SET(request->fds[i], &readable);
		if (request->fds[i] > highest)
			highest = request->fds[i];
	}
	finish(reply,
	       pselect(highest + 1, &readable, NULL, NULL,
		       timeout_of(request->numbers[0], &storage), NULL));
	for (int i = 0; i < count && reply->ret > 0; i++)
		if (FD_ISSET(request->fds[i], &readable)) {
			reply->ready_fd[reply->ready_count] = request->fds[i];
			reply->ready_events[reply->ready_count++] = POLLIN;
		}
}

static void run_epoll_create(const struct puppet_request *request, struct puppet_reply *reply)
{
	finish(reply, epoll_create1((int)request->numbers[0]));
}

static void run_epoll_ctl(const struct puppet_request *request, struct puppet_reply *reply)
{
	/* data.fd: epoll_wait then says which fd, as a server would use it. */
	int target = request->fd_count > 1 ? request->fds[1] : -1;
	struct epoll_event event = { .events = (uint32_t)request->numbers[1], .data.fd = target };
	finish(reply, epoll_ctl(request->fd, (int)request->numbers[0], target, &event));
}

static uint64_t now_ns(void);

static void run_epoll_wait(const struct puppet_request *request, struct puppet_reply *reply)
{
	struct epoll_event events[PUPPET_MAX_WATCHED];
	/* The puppet has no signal handlers: EINTR here is the lab's own
	 * SIGSTOP/SIGCONT freeze, which epoll_wait is never restarted after
	 * (signal(7)). Wait on, for what is left of the timeout. */
	long timeout = request->numbers[0];
	uint64_t deadline = now_ns() + (uint64_t)(timeout > 0 ? timeout : 0) * 1000000u;
	int n;
	for (;;) {
		n = epoll_pwait(request->fd, events, PUPPET_MAX_WATCHED, (int)timeout, NULL);
		if (n >= 0 || errno != EINTR)
			break;
		if (timeout > 0) {
			uint64_t now = now_ns();
			timeout = now >= deadline ? 0 : (long)((deadline - now) / 1000000u);
		}
	}
	finish(reply, n);
	for (long i = 0; i < reply->ret; i++) {
		reply->ready_fd[reply->ready_count] = events[i].data.fd;
		reply->ready_events[reply->ready_count++] = events[i].events;
	}
}

/* The channel for a fork()'s child, passed with the fork request. */
static int passed_channel = -1;

/* Where this process keeps its channel (puppet_channel_fd() when it started). */
static int channel_fd = PUPPET_CHANNEL_FD;

/* fork(): the child becomes another puppet, with a copy of this one's fds
 * and its own channel to the controller; it answers on that channel. */
static void run_fork(const struct puppet_request *request, struct puppet_reply *reply)
{
	(void)request;
	if (passed_channel < 0) {
		errno = EINVAL;
		finish(reply, -1);
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		/* Dies with its parent puppet, which dies with the controller. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(passed_channel, channel_fd);
		close(passed_channel);
		passed_channel = -1;
		finish(reply, 0);
		return;
	}
	close(passed_channel);
	passed_channel = -1;
	finish(reply, pid);
}

static run_fn *const runners[CALL_COUNT] = {
	[CALL_SOCKET] = run_socket,
	[CALL_BIND] = run_bind,
	[CALL_LISTEN] = run_listen,
	[CALL_ACCEPT] = run_accept,
	[CALL_CONNECT] = run_connect,
	[CALL_SEND] = run_send,
	[CALL_SENDALL] = run_sendall,
	[CALL_RECV] = run_recv,
	[CALL_SENDTO] = run_sendto,
	[CALL_RECVFROM] = run_recvfrom,
	[CALL_SHUTDOWN] = run_shutdown,
	[CALL_CLOSE] = run_close,
	[CALL_SETSOCKOPT] = run_setsockopt,
	[CALL_GETSOCKOPT] = run_getsockopt,
	[CALL_GETSOCKNAME] = run_getsockname,
	[CALL_GETPEERNAME] = run_getpeername,
	[CALL_FCNTL] = run_fcntl,
	[CALL_UNLINK] = run_unlink,
	[CALL_POLL] = run_poll,
	[CALL_SELECT] = run_select,
	[CALL_EPOLL_CREATE] = run_epoll_create,
	[CALL_EPOLL_CTL] = run_epoll_ctl,
	[CALL_EPOLL_WAIT] = run_epoll_wait,
	[CALL_FORK] = run_fork,
};

/* The table's size says nothing of its rows: tests/test_catalog.c checks
 * that every call but the wire's has a runner here. */
bool puppet_runs_call(enum call_id call)
{
	return (unsigned)call < CALL_COUNT && runners[call] != NULL;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

size_t puppet_request_size(const struct puppet_request *request)
{
	return offsetof(struct puppet_request, bytes) + request->bytes_len;
}

static size_t reply_size(const struct puppet_reply *reply)
{
	return offsetof(struct puppet_reply, bytes) + reply->bytes_len;
}

/* Whether a request names the channel: no call of the student's reaches it. */
static bool names_channel(const struct puppet_request *request, int channel)
{
	if (request->fd == channel)
		return true;
	for (int i = 0; i < request->fd_count && i < PUPPET_MAX_WATCHED; i++)
		if (request->fds[i] == channel)
			return true;
	return false;
}

/* The host path: a TCP or UDP socket with no address yet gets one on
 * loopback before listen(), connect() or sendto(), which would otherwise
 * bind it to the wildcard address (0.0.0.0 or ::), where the machine's
 * other interfaces reach it. The kernel picks the port, as it would. */
static void bind_loopback(int fd, const struct puppet_request *request)
{
	struct sockaddr_storage address;
	socklen_t length = sizeof address;
	memset(&address, 0, sizeof address);
	if (getsockname(fd, (struct sockaddr *)&address, &length) < 0)
		return;
	if (address.ss_family == AF_INET && ((struct sockaddr_in *)&address)->sin_port == 0) {
		struct sockaddr_in *in = (struct sockaddr_in *)&address;
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	} else if (address.ss_family == AF_INET6
		   && ((struct sockaddr_in6 *)&address)->sin6_port == 0) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&address;
		const struct sockaddr_in6 *to = (const struct sockaddr_in6 *)&request->address;
		in6->sin6_addr = in6addr_loopback;
		/* Bound to ::1, it could not reach an IPv4 peer: take ::ffff:127.0.0.1. */
		if (request->address.ss_family == AF_INET6
		    && IN6_IS_ADDR_V4MAPPED(&to->sin6_addr)) {
			in6->sin6_addr.s6_addr[10] = in6->sin6_addr.s6_addr[11] = 0xff;
			in6->sin6_addr.s6_addr[12] = 127;
			in6->sin6_addr.s6_addr[15] = 1;
		}
	} else {
		return;
	}
	int saved_errno = errno;
	if (bind(fd, (struct sockaddr *)&address, length) < 0)
		errno = saved_errno;   /* the call itself then says what the kernel thinks */
}

/* The child's whole life: answer requests until the channel closes. */
static _Noreturn void puppet_main(int channel)
{
	static struct puppet_request request;
	static struct puppet_reply reply;
	for (;;) {
		/* recvmsg(), not recv(): while idle the child must not look asleep
		 * in recvfrom, the system call a blocked recv() sleeps in. A fork
		 * request carries the child's channel as SCM_RIGHTS. */
		union {
			struct cmsghdr header;
			char space[CMSG_SPACE(sizeof(int))];
		} control;
		struct iovec vector = { .iov_base = &request, .iov_len = sizeof request };
		struct msghdr message = { .msg_iov = &vector, .msg_iovlen = 1,
					  .msg_control = &control,
					  .msg_controllen = sizeof control };
		ssize_t n = recvmsg(channel, &message, MSG_CMSG_CLOEXEC);
		struct cmsghdr *passed = n > 0 ? CMSG_FIRSTHDR(&message) : NULL;
		if (passed && passed->cmsg_level == SOL_SOCKET && passed->cmsg_type == SCM_RIGHTS) {
			if (passed_channel >= 0)
				close(passed_channel);
			memcpy(&passed_channel, CMSG_DATA(passed), sizeof passed_channel);
		}
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			_exit(0);
		}
		if ((size_t)n < offsetof(struct puppet_request, bytes) || request.call >= CALL_COUNT
		    || (size_t)n != puppet_request_size(&request) || !runners[request.call])
			_exit(3);
		memset(&reply, 0, offsetof(struct puppet_reply, bytes));
		uint64_t start = now_ns();
		if (names_channel(&request, channel)) {
			/* The session names only fds the lesson's calls made; this
			 * holds whatever reaches the puppet. */
			errno = EBADF;
			finish(&reply, -1);
		} else {
			if (request.loopback_first)
				bind_loopback(request.fd, &request);
			start = now_ns();
			runners[request.call](&request, &reply);
		}
		reply.elapsed_ns = now_ns() - start;
		/* The new socket's inode, which sock_diag reports: how the lab
		 * knows which fd holds which socket, without reading /proc. */
		struct stat st;
		if ((request.call == CALL_SOCKET || request.call == CALL_ACCEPT) && reply.ret >= 0
		    && fstat((int)reply.ret, &st) == 0)
			reply.inode = st.st_ino;
		while (write(channel, &reply, reply_size(&reply)) < 0)
			if (errno != EINTR)
				_exit(4);
	}
}

/* Child side of fork: become a clean program whose fds start at 3. With
 * `confined`, its working directory becomes its root: every file name a
 * call gives (a Unix socket's path, unlink's) resolves inside it, absolute
 * ones and `..` included. chroot(2) needs CAP_SYS_CHROOT, which the
 * private path's user namespace gives the lab; nothing the puppet runs
 * afterwards can call chroot again or open a directory outside. */
static _Noreturn void puppet_child(int channel, pid_t parent, bool confined)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(1);                         /* the controller died before we
		                                     could follow it */
	signal(SIGPIPE, SIG_IGN);             /* EPIPE is a lesson, not a death */
	signal(SIGCHLD, SIG_IGN);             /* a fork()'s child is reaped by the kernel */
	signal(SIGINT, SIG_IGN);              /* Ctrl-C belongs to the controller, which kills us */
	channel_fd = puppet_channel_fd();
	if (channel_fd < 0 || dup2(channel, channel_fd) < 0)
		_exit(1);
	int null_fd = open("/dev/null", O_RDWR);
	if (null_fd < 0)
		_exit(1);
	for (int fd = 0; fd < 3; fd++)
		dup2(null_fd, fd);
	close_range(3, (unsigned)channel_fd - 1, 0);
	close_range((unsigned)channel_fd + 1, ~0u, 0);
	if (confined && (chroot(".") < 0 || chdir("/") < 0))
		_exit(5);
	puppet_main(channel_fd);
}

int puppet_channel_fd(void)
{
	struct rlimit limit;
	if (getrlimit(RLIMIT_NOFILE, &limit) < 0 || limit.rlim_cur >= PUPPET_CHANNEL_FD + 1)
		return PUPPET_CHANNEL_FD;
	if (limit.rlim_cur < PUPPET_MIN_OPEN_FILES)
		return -1;
	return (int)limit.rlim_cur - 1;
}

static int start(struct puppet *puppet, bool confined, char **err)
{
	int pair[2];
	puppet->pid = -1;
	puppet->channel = -1;
	puppet->status = PUPPET_DEAD;
	if (puppet_channel_fd() < 0) {
		struct rlimit limit = { 0 };
		getrlimit(RLIMIT_NOFILE, &limit);
		return text_error(
			err, "the open file limit is %llu (ulimit -n): the lab needs at least %d",
			(unsigned long long)limit.rlim_cur, PUPPET_MIN_OPEN_FILES);
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
		return text_error(err, "socketpair: %s", strerror(errno));
	/* Requests and replies carry up to 64 KiB of bytes in one message. */
	int size = 2 * (int)sizeof(struct puppet_reply);
	setsockopt(pair[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
	setsockopt(pair[1], SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		close(pair[0]);
		close(pair[1]);
		return text_error(err, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		close(pair[0]);
		puppet_child(pair[1], parent, confined);
	}
	close(pair[1]);
	puppet->pid = pid;
	puppet->channel = pair[0];
	puppet->status = PUPPET_IDLE;
	return 0;
}

int puppet_start(struct puppet *puppet, char **err)
{
	return start(puppet, false, err);
}

int puppet_start_confined(struct puppet *puppet, char **err)
{
	return start(puppet, true, err);
}

int puppet_warm_up(struct puppet *puppet, char **err)
{
	/* fcntl(-1, F_GETFL): a call that changes nothing (EBADF). */
	static struct puppet_request request = { .call = CALL_FCNTL,
						 .fd = -1,
						 .numbers = { F_GETFL } };
	static struct puppet_reply reply;
	if (puppet_send(puppet, &request, err) < 0)
		return -1;
	return puppet_wait(puppet, &reply, err) == PUPPET_IDLE ? 0 : -1;
}

int puppet_send_with_fd(struct puppet *puppet, const struct puppet_request *request, int fd,
			char **err)
{
	if (puppet->status != PUPPET_IDLE)
		return text_error(err, "the process is not ready for a call");
	puppet->blocking_syscall = -1;
	union {
		struct cmsghdr header;
		char space[CMSG_SPACE(sizeof(int))];
	} control;
	memset(&control, 0, sizeof control);
	struct iovec vector = { .iov_base = (void *)request,
				.iov_len = puppet_request_size(request) };
	struct msghdr message = { .msg_iov = &vector, .msg_iovlen = 1, .msg_control = &control,
				  .msg_controllen = sizeof control };
	struct cmsghdr *header = CMSG_FIRSTHDR(&message);
	header->cmsg_level = SOL_SOCKET;
	header->cmsg_type = SCM_RIGHTS;
	header->cmsg_len = CMSG_LEN(sizeof fd);
	memcpy(CMSG_DATA(header), &fd, sizeof fd);
	if (sendmsg(puppet->channel, &message, MSG_NOSIGNAL) < 0) {
		puppet->status = PUPPET_DEAD;
		return text_error(err, "the process is gone (%s)", strerror(errno));
	}
	puppet->status = PUPPET_BUSY;
	return 0;
}

int puppet_adopt(struct puppet *puppet, pid_t pid, int channel)
{
	puppet->pid = pid;
	puppet->channel = channel;
	puppet->status = PUPPET_BUSY;   /* its first answer, fork()'s 0, is on its way */
	puppet->blocking_syscall = -1;
	return 0;
}

int puppet_send(struct puppet *puppet, const struct puppet_request *request, char **err)
{
	if (puppet->status != PUPPET_IDLE)
		return text_error(err, "the process is not ready for a call");
	const struct call_def *def = &catalog_calls[request->call];
	puppet->blocking_syscall = def->may_block ? def->blocking_syscall : -1;
	while (send(puppet->channel, request, puppet_request_size(request), MSG_NOSIGNAL) < 0) {
		if (errno != EINTR) {
			puppet->status = PUPPET_DEAD;
			return text_error(err, "the process is gone (%s)", strerror(errno));
		}
	}
	puppet->status = PUPPET_BUSY;
	return 0;
}

static enum puppet_status read_reply(struct puppet *puppet, struct puppet_reply *reply, char **err)
{
	ssize_t n;
	do
		n = recv(puppet->channel, reply, sizeof *reply, 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0 || (size_t)n < offsetof(struct puppet_reply, bytes)
	    || (size_t)n != reply_size(reply)) {
		puppet->status = PUPPET_DEAD;
		text_error(err, "the process died during the call");
		return PUPPET_DEAD;
	}
	puppet->status = PUPPET_IDLE;
	return PUPPET_IDLE;
}

/* What the kernel says the child is doing: 'S' asleep in `syscall`,
 * 'R' runnable or running, '?' otherwise. /proc/PID/syscall holds the
 * number of the system call a sleeping task is in ("running" otherwise). */
static char kernel_activity(pid_t pid, long syscall)
{
	char path[64], buf[128];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return '?';
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = '\0';
	const char *close_paren = strrchr(buf, ')');
	if (!close_paren || close_paren[1] != ' ')
		return '?';
	char state = close_paren[2];
	if (state == 'R')
		return 'R';
	if (state != 'S' && state != 'D')
		return '?';
	snprintf(path, sizeof path, "/proc/%d/syscall", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 'S';       /* no access to the syscall number: trust the sleep */
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 'S';
	buf[n] = '\0';
	if (strncmp(buf, "running", 7) == 0)
		return 'R';
	return strtol(buf, NULL, 10) == syscall ? 'S' : '?';
}

/* Waits for a reply, or until the kernel has put the child to sleep in
 * the call. A reply on the channel always wins over the sleep check. */
static enum puppet_status wait_reply_or_sleep(struct puppet *puppet, struct puppet_reply *reply,
					      char **err)
{
	struct pollfd pfd = { .fd = puppet->channel, .events = POLLIN };
	/* The child shares our CPU: yielding lets it run the call, and we get
	 * the CPU back once it has answered or fallen asleep in the call, so
	 * no timer is needed. Where it runs elsewhere (affinity refused) or the
	 * call runs long, fall back to sleeping on the channel a little longer
	 * each time. */
	int timeout_ms = 0;
	for (int round = 0;; round++) {
		int ready = poll(&pfd, 1, timeout_ms);
		if (ready < 0 && errno != EINTR) {
			text_error(err, "poll: %s", strerror(errno));
			return PUPPET_DEAD;
		}
		if (ready > 0)
			return read_reply(puppet, reply, err);
		char activity = puppet->blocking_syscall >= 0
			? kernel_activity(puppet->pid, puppet->blocking_syscall)
			: 'R';
		if (activity == 'S') {
			/* It slept; the answer may still have raced in since the poll. */
			if (poll(&pfd, 1, 0) > 0)
				return read_reply(puppet, reply, err);
			puppet->status = PUPPET_BLOCKED;
			return PUPPET_BLOCKED;
		}
		if (round < 64)
			sched_yield();
		else if (timeout_ms < 8)
			timeout_ms = timeout_ms ? timeout_ms * 2 : 1;
	}
}

enum puppet_status puppet_wait(struct puppet *puppet, struct puppet_reply *reply, char **err)
{
	if (puppet->status != PUPPET_BUSY)
		return puppet->status;
	return wait_reply_or_sleep(puppet, reply, err);
}

enum puppet_status puppet_check_woken(struct puppet *puppet, struct puppet_reply *reply, char **err)
{
	if (puppet->status != PUPPET_BLOCKED)
		return puppet->status;
	return wait_reply_or_sleep(puppet, reply, err);
}

int puppet_freeze(struct puppet *puppet, char **err)
{
	if (kill(puppet->pid, SIGSTOP) < 0)
		return text_error(err, "cannot stop the process: %s", strerror(errno));
	int status;
	for (;;) {
		pid_t pid = waitpid(puppet->pid, &status, WUNTRACED);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0 || !WIFSTOPPED(status)) {
			puppet->status = PUPPET_DEAD;
			return text_error(err, "the process died while blocked");
		}
		return 0;
	}
}

void puppet_thaw(struct puppet *puppet)
{
	kill(puppet->pid, SIGCONT);
}

void puppet_stop(struct puppet *puppet)
{
	if (puppet->channel >= 0) {
		close(puppet->channel);
		puppet->channel = -1;
	}
	if (puppet->pid > 0) {
		kill(puppet->pid, SIGKILL);
		while (waitpid(puppet->pid, NULL, 0) < 0 && errno == EINTR)
			;
		puppet->pid = -1;
	}
	puppet->status = PUPPET_DEAD;
}
