/* Puppets: real calls in a child process, one at a time; blocking really blocks. */
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
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

Test(puppet, accept_blocks_until_a_client_connects)
{
	struct puppet server, client;
	char *err = NULL;
	cr_assert_eq(puppet_start(&server, NULL), 0);
	cr_assert_eq(puppet_start(&client, NULL), 0);
	uint16_t port = listen_on_free_port(&server);
	struct puppet_request accept_request = make(CALL_ACCEPT, 3);
	cr_assert_eq(puppet_send(&server, &accept_request, &err), 0);
	cr_assert_eq(puppet_wait(&server, &reply, &err), PUPPET_BLOCKED, "accept on an empty queue must block");
	cr_assert_eq(puppet_check_woken(&server, &reply, &err), PUPPET_BLOCKED, "nothing woke it yet");

	struct puppet_request request = make(CALL_SOCKET, -1);
	request.numbers[0] = AF_INET;
	request.numbers[1] = SOCK_STREAM;
	cr_assert_eq(call(&client, &request), 3);
	request = make(CALL_CONNECT, 3);
	loopback(&request, port);
	cr_assert_eq(call(&client, &request), 0);

	cr_assert_eq(puppet_check_woken(&server, &reply, &err), PUPPET_IDLE, "%s", err ? err : "still blocked");
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
	request.address_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(un->sun_path + 1));
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
