/* Puppets: real calls in a child process, one at a time; blocking really blocks. */
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "puppet.h"

static struct puppet_reply reply;

static long call(struct puppet *puppet, struct puppet_request *request)
{
	char *err = NULL;
	cr_assert_eq(puppet_send(puppet, request, &err), 0, "%s", err);
	cr_assert_eq(puppet_wait(puppet, &reply, &err), PUPPET_IDLE, "%s", err ? err : "blocked");
	return reply.ret;
}

static struct puppet_request make(enum call_id id, int fd)
{
	struct puppet_request request;
	memset(&request, 0, sizeof request);
	request.call = id;
	request.fd = fd;
	return request;
}

static void loopback(struct puppet_request *request, uint16_t port)
{
	struct sockaddr_in *in = (struct sockaddr_in *)&request->address;
	in->sin_family = AF_INET;
	in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	in->sin_port = htons(port);
	request->address_len = sizeof *in;
}

/* A listener on a free loopback port; returns the port. */
static uint16_t listen_on_free_port(struct puppet *server)
{
	struct puppet_request request = make(CALL_SOCKET, -1);
	request.numbers[0] = AF_INET;
	request.numbers[1] = SOCK_STREAM;
	cr_assert_eq(call(server, &request), 3);
	request = make(CALL_BIND, 3);
	loopback(&request, 0);
	cr_assert_eq(call(server, &request), 0);
	request = make(CALL_LISTEN, 3);
	request.numbers[0] = 5;
	cr_assert_eq(call(server, &request), 0);
	request = make(CALL_GETSOCKNAME, 3);
	cr_assert_eq(call(server, &request), 0);
	return ntohs(((struct sockaddr_in *)&reply.address)->sin_port);
}

Test(puppet, first_socket_is_fd_3_like_any_program)
{
	struct puppet puppet;
	cr_assert_eq(puppet_start(&puppet, NULL), 0);
	struct puppet_request request = make(CALL_SOCKET, -1);
	request.numbers[0] = AF_INET;
	request.numbers[1] = SOCK_STREAM;
	cr_expect_eq(call(&puppet, &request), 3);
	cr_expect_eq(call(&puppet, &request), 4);
	puppet_stop(&puppet);
}

Test(puppet, kernel_refusal_comes_back_as_errno)
{
	struct puppet puppet;
	cr_assert_eq(puppet_start(&puppet, NULL), 0);
	struct puppet_request request = make(CALL_CLOSE, 42);
	cr_expect_eq(call(&puppet, &request), -1);
	cr_expect_eq(reply.error, EBADF);
	request = make(CALL_CLOSE, PUPPET_CHANNEL_FD);
	cr_expect_eq(call(&puppet, &request), -1, "the channel is not the student's to close");
	cr_expect_eq(reply.error, EBADF);
	request = make(CALL_SOCKET, -1);
	request.numbers[0] = 12345;
	request.numbers[1] = SOCK_STREAM;
	cr_expect_eq(call(&puppet, &request), -1);
	cr_expect_eq(reply.error, EAFNOSUPPORT);
	puppet_stop(&puppet);
}

/* Every call that names the channel gets EBADF from the puppet, whatever
 * it is: a forged reply, a shutdown or a read of it would desynchronise
 * or wedge the lab. */
Test(puppet, no_call_reaches_the_channel)
{
	static const enum call_id calls[] = { CALL_SEND,        CALL_RECV,       CALL_SHUTDOWN,
					      CALL_FCNTL,       CALL_SETSOCKOPT, CALL_GETSOCKOPT,
					      CALL_GETSOCKNAME, CALL_CONNECT };
	struct puppet puppet;
	cr_assert_eq(puppet_start(&puppet, NULL), 0);
	for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
		struct puppet_request request = make(calls[i], PUPPET_CHANNEL_FD);
		request.numbers[0] = 16;
		request.bytes_len = 4;
		request.fds[request.fd_count++] = PUPPET_CHANNEL_FD;
		cr_expect_eq(call(&puppet, &request), -1, "%s", catalog_calls[calls[i]].name);
		cr_expect_eq(reply.error, EBADF, "%s", catalog_calls[calls[i]].name);
	}
	/* poll() with the channel among its fds. */
	struct puppet_request request = make(CALL_POLL, -1);
	request.fds[request.fd_count++] = 0;
	request.fds[request.fd_count++] = PUPPET_CHANNEL_FD;
	cr_expect_eq(call(&puppet, &request), -1);
	cr_expect_eq(reply.error, EBADF);
	/* And the lab still talks to it. */
	request = make(CALL_SOCKET, -1);
	request.numbers[0] = AF_INET;
	request.numbers[1] = SOCK_STREAM;
	cr_expect_eq(call(&puppet, &request), 3);
	puppet_stop(&puppet);
}

/* ulimit -n at 1000 or below: the channel moves under the limit. */
Test(puppet, the_channel_fits_under_a_low_open_file_limit)
{
	struct rlimit saved, low;
	cr_assert_eq(getrlimit(RLIMIT_NOFILE, &saved), 0);
	low = saved;
	low.rlim_cur = 64;
	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	cr_expect_eq(puppet_channel_fd(), 63);
	struct puppet puppet;
	char *err = NULL;
	int started = puppet_start(&puppet, &err);
	cr_assert_eq(started, 0, "%s", err);
	struct puppet_request request = make(CALL_SOCKET, -1);
	request.numbers[0] = AF_INET;
	request.numbers[1] = SOCK_STREAM;
	cr_expect_eq(call(&puppet, &request), 3);
	request = make(CALL_SEND, 63);
	request.bytes_len = 1;
	cr_expect_eq(call(&puppet, &request), -1, "fd 63 is the channel now");
	cr_expect_eq(reply.error, EBADF);
	puppet_stop(&puppet);

	low.rlim_cur = 10;
	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	started = puppet_start(&puppet, &err);
	setrlimit(RLIMIT_NOFILE, &saved);
	cr_expect_eq(started, -1);
	cr_expect_str_eq(err ? err : "",
			 "the open file limit is 10 (ulimit -n): the lab needs at least 32");
	free(err);
}

Test(puppet, accept_blocks_until_a_client_connects)
{
	struct puppet server, client;
	char *err = NULL;
	cr_assert_eq(puppet_start(&server, NULL), 0);
	cr_assert_eq(puppet_start(&client, NULL), 0);
	uint16_t port = listen_on_free_port(&server);
	struct puppet_request accept_request = make(CALL_ACCEPT, 3);
	cr_assert_eq(puppet_send(&server, &accept_request, &err), 0);
	cr_assert_eq(puppet_wait(&server, &reply, &err), PUPPET_BLOCKED,
		     "accept on an empty queue must block");
	cr_assert_eq(puppet_check_woken(&server, &reply, &err), PUPPET_BLOCKED,
		     "nothing woke it yet");

	struct puppet_request request = make(CALL_SOCKET, -1);
	request.numbers[0] = AF_INET;
	request.numbers[1] = SOCK_STREAM;
	cr_assert_eq(call(&client, &request), 3);
	request = make(CALL_CONNECT, 3);
	loopback(&request, port);
	cr_assert_eq(call(&client, &request), 0);

	cr_assert_eq(puppet_check_woken(&server, &reply, &err), PUPPET_IDLE, "%s",
		     err ? err : "still blocked");
	cr_expect_eq(reply.ret, 4, "accept returns a NEW socket");
	cr_expect_eq(reply.address.ss_family, AF_INET);
	puppet_stop(&server);
	puppet_stop(&client);
}

Test(puppet, a_frozen_sleeper_lets_the_queue_be_seen_then_returns)
{
	struct puppet server, client;
	char *err = NULL;
	cr_assert_eq(puppet_start(&server, NULL), 0);
	cr_assert_eq(puppet_start(&client, NULL), 0);
	uint16_t port = listen_on_free_port(&server);
	struct puppet_request accept_request = make(CALL_ACCEPT, 3);
	cr_assert_eq(puppet_send(&server, &accept_request, &err), 0);
	cr_assert_eq(puppet_wait(&server, &reply, &err), PUPPET_BLOCKED);
	cr_assert_eq(puppet_freeze(&server, &err), 0, "%s", err);
	struct puppet_request request = make(CALL_SOCKET, -1);
	request.numbers[0] = AF_INET;
	request.numbers[1] = SOCK_STREAM;
	call(&client, &request);
	request = make(CALL_CONNECT, 3);
	loopback(&request, port);
	cr_assert_eq(call(&client, &request), 0);
	puppet_thaw(&server);
	cr_assert_eq(puppet_check_woken(&server, &reply, &err), PUPPET_IDLE);
	cr_expect_eq(reply.ret, 4, "the restarted accept() takes the queued connection");
	puppet_stop(&server);
	puppet_stop(&client);
}

Test(puppet, bytes_go_through_and_epipe_does_not_kill)
{
	struct puppet a;
	cr_assert_eq(puppet_start(&a, NULL), 0);
	/* A unix socket pair is not in the catalog: build it from a listener. */
	struct puppet_request request = make(CALL_SOCKET, -1);
	request.numbers[0] = AF_UNIX;
	request.numbers[1] = SOCK_STREAM;
	cr_assert_eq(call(&a, &request), 3);
	request = make(CALL_BIND, 3);
	struct sockaddr_un *un = (struct sockaddr_un *)&request.address;
	un->sun_family = AF_UNIX;
	snprintf(un->sun_path + 1, sizeof un->sun_path - 1, "socklab-test-%d", (int)getpid());
	request.address_len =
		(socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(un->sun_path + 1));
	struct sockaddr_storage address = request.address;
	socklen_t address_len = request.address_len;
	cr_assert_eq(call(&a, &request), 0);
	request = make(CALL_LISTEN, 3);
	request.numbers[0] = 1;
	cr_assert_eq(call(&a, &request), 0);
	request = make(CALL_SOCKET, -1);
	request.numbers[0] = AF_UNIX;
	request.numbers[1] = SOCK_STREAM;
	cr_assert_eq(call(&a, &request), 4);
	request = make(CALL_CONNECT, 4);
	request.address = address;
	request.address_len = address_len;
	cr_assert_eq(call(&a, &request), 0);
	request = make(CALL_ACCEPT, 3);
	cr_assert_eq(call(&a, &request), 5);
	request = make(CALL_SEND, 4);
	memcpy(request.bytes, "a\0\x1b", 3);
	request.bytes_len = 3;
	cr_assert_eq(call(&a, &request), 3);
	request = make(CALL_RECV, 5);
	request.numbers[0] = 1024;
	cr_assert_eq(call(&a, &request), 3);
	cr_expect_eq(reply.bytes_len, 3);
	cr_expect_eq(memcmp(reply.bytes, "a\0\x1b", 3), 0);
	request = make(CALL_CLOSE, 5);
	cr_assert_eq(call(&a, &request), 0);
	request = make(CALL_SEND, 4);
	request.bytes_len = 1;
	cr_expect_eq(call(&a, &request), -1);
	cr_expect_eq(reply.error, EPIPE, "SIGPIPE is ignored, so the student sees EPIPE");
	puppet_stop(&a);
}

Test(puppet, stop_reaps_the_process_and_is_safe_twice)
{
	struct puppet puppet;
	cr_assert_eq(puppet_start(&puppet, NULL), 0);
	pid_t pid = puppet.pid;
	puppet_stop(&puppet);
	cr_expect_eq(kill(pid, 0), -1);
	cr_expect_eq(errno, ESRCH, "no zombie, no process");
	puppet_stop(&puppet);
	cr_expect_eq(puppet.status, PUPPET_DEAD);
}
