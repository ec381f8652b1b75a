/* Tests for exact: the host path's reading of the kernel. The lab's sockets
 * are made here, in the host's namespace, and the clock is the test's, so
 * the once-a-second dump runs when the test says a second has passed. */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exact.h"

static uint32_t inode_of(int fd)
{
	struct stat status;
	cr_assert_eq(fstat(fd, &status), 0);
	return (uint32_t)status.st_ino;
}

static int listener_on_loopback(int *port)
{
	struct sockaddr_in address = { .sin_family = AF_INET,
				       .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t length = sizeof address;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(fd, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&address, length), 0, "%s", strerror(errno));
	cr_assert_eq(listen(fd, 5), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&address, &length), 0);
	*port = ntohs(address.sin_port);
	return fd;
}

static int connect_to(int port)
{
	struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons(port),
				       .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(fd, 0);
	cr_assert_eq(connect(fd, (struct sockaddr *)&address, sizeof address), 0, "%s",
		     strerror(errno));
	return fd;
}

static size_t count_state(const struct probe_snapshot *snap, int state, int port)
{
	size_t count = 0;
	for (size_t i = 0; i < snap->count; i++) {
		const struct sockaddr_in *local =
			(const struct sockaddr_in *)&snap->sockets[i].local;
		count += snap->sockets[i].state == state && ntohs(local->sin_port) == port;
	}
	return count;
}

struct lab {
	struct exact *exact;
	struct probe *probe;
	struct probe_snapshot raw;
	struct tie_fd fds[4];
	size_t fd_count;
	uint32_t touched[4];
	size_t touched_count;
};

static void lab_snapshot(struct lab *lab, int64_t now_us, bool *dumped, size_t *missed)
{
	struct exact_input input = {
		.what = PROBE_TCP4, .fds = lab->fds, .fd_count = lab->fd_count,
		.touched = lab->touched, .touched_count = lab->touched_count, .now_us = now_us,
	};
	char *err = NULL;
	cr_assert_eq(exact_snapshot(lab->exact, lab->probe, &input, &lab->raw, dumped, missed,
				    &err),
		     0, "%s", err ? err : "?");
	lab->touched_count = 0;
}

Test(exact, asks_for_known_sockets_and_dumps_only_when_something_new_may_be_there)
{
	struct lab lab = { .exact = exact_new() };
	char *err = NULL;
	cr_assert_not_null(lab.exact);
	cr_assert_eq(probe_open(&lab.probe, &err), 0, "%s", err ? err : "?");
	bool dumped;
	size_t missed;

	/* The first snapshot dumps: nothing is known yet. */
	int port;
	int listener = listener_on_loopback(&port);
	lab.fds[lab.fd_count++] = (struct tie_fd){ .side = 0, .fd = listener,
						   .inode = inode_of(listener), .family = AF_INET,
						   .type = SOCK_STREAM };
	lab.touched[lab.touched_count++] = inode_of(listener);
	lab_snapshot(&lab, 0, &dumped, &missed);
	cr_assert(dumped, "the first snapshot did not dump");
	cr_assert_eq(count_state(&lab.raw, TCP_LISTEN, port), 1);

	/* Nothing touched: exact requests alone, the listener found. */
	lab_snapshot(&lab, 100000, &dumped, &missed);
	cr_assert_not(dumped, "a step that made nothing new dumped");
	cr_assert_eq(lab.raw.count, 1, "%zu sockets", lab.raw.count);

	/* A client of the lab connects: its fd is new and touched, so a dump
	 * finds it; the child in the accept queue comes with it. */
	int client = connect_to(port);
	lab.fds[lab.fd_count++] = (struct tie_fd){ .side = 1,
						   .fd = client,
						   .inode = inode_of(client),
						   .family = AF_INET,
						   .type = SOCK_STREAM };
	lab.touched[lab.touched_count++] = inode_of(client);
	lab_snapshot(&lab, 200000, &dumped, &missed);
	cr_assert(dumped, "a connect() did not dump");
	cr_assert_eq(count_state(&lab.raw, TCP_ESTABLISHED, port), 1,
		     "the child in the accept queue");

	/* From then on the client, the listener and the child (the client's
	 * mirror) are asked for exactly. */
	lab_snapshot(&lab, 300000, &dumped, &missed);
	cr_assert_not(dumped);
	cr_assert_eq(lab.raw.count, 3, "%zu sockets", lab.raw.count);
	cr_assert_eq(count_state(&lab.raw, TCP_ESTABLISHED, port), 1,
		     "the child was not found as the mirror");

	/* A connection from outside the lab (what the host path forbids):
	 * the exact requests cannot know it; the once-a-second dump finds
	 * it and says so. */
	int outsider = connect_to(port);
	struct pollfd wait_accept = { .fd = listener, .events = POLLIN };
	cr_assert_eq(poll(&wait_accept, 1, 5000), 1);
	lab_snapshot(&lab, 400000, &dumped, &missed);
	cr_assert_not(dumped);
	cr_assert_eq(count_state(&lab.raw, TCP_ESTABLISHED, port), 1,
		     "the outsider's child is not asked for");
	lab_snapshot(&lab, 1300000, &dumped, &missed);
	cr_assert(dumped, "no dump after a second");
	cr_assert_geq(missed, 1, "the dump did not say what the exact requests missed");
	cr_assert_eq(count_state(&lab.raw, TCP_ESTABLISHED, port), 2);

	close(outsider);
	close(client);
	close(listener);
	probe_snapshot_done(&lab.raw);
	probe_free(lab.probe);
	exact_free(lab.exact);
}

Test(exact, a_bound_only_socket_stays_shown_while_no_call_touches_it)
{
	struct lab lab = { .exact = exact_new() };
	char *err = NULL;
	cr_assert_eq(probe_open(&lab.probe, &err), 0, "%s", err ? err : "?");
	bool dumped;
	size_t missed;
	struct sockaddr_in address = { .sin_family = AF_INET,
				       .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int bound = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_eq(bind(bound, (struct sockaddr *)&address, sizeof address), 0);
	lab.fds[lab.fd_count++] = (struct tie_fd){
		.fd = bound, .inode = inode_of(bound), .family = AF_INET, .type = SOCK_STREAM
	};
	lab.touched[lab.touched_count++] = inode_of(bound);
	struct exact_input input = { .what = PROBE_TCP4 | PROBE_BOUND_INACTIVE, .fds = lab.fds,
				     .fd_count = 1, .touched = lab.touched, .touched_count = 1,
				     .now_us = 0 };
	cr_assert_eq(exact_snapshot(lab.exact, lab.probe, &input, &lab.raw, &dumped, &missed, &err),
		     0, "%s", err);
	cr_assert(dumped);
	size_t first = 0;
	for (size_t i = 0; i < lab.raw.count; i++)
		first += lab.raw.sockets[i].inode == inode_of(bound);
	cr_assert_eq(first, 1, "the dump did not show the bound socket");
	input.touched_count = 0;
	input.now_us = 100000;
	cr_assert_eq(exact_snapshot(lab.exact, lab.probe, &input, &lab.raw, &dumped, &missed, &err),
		     0, "%s", err);
	cr_assert_not(dumped);
	cr_assert_eq(lab.raw.count, 1, "%zu sockets", lab.raw.count);
	cr_assert_eq(lab.raw.sockets[0].inode, inode_of(bound));
	cr_assert_eq(lab.raw.sockets[0].state, TCP_CLOSE);

	/* An fd new since the last snapshot, though no call of this step is
	 * known to have made it (an accept() that woke later): dumped for. */
	int fresh = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	lab.fds[lab.fd_count++] = (struct tie_fd){
		.fd = fresh, .inode = inode_of(fresh), .family = AF_INET, .type = SOCK_STREAM
	};
	input.fd_count = lab.fd_count;
	input.now_us = 200000;
	cr_assert_eq(exact_snapshot(lab.exact, lab.probe, &input, &lab.raw, &dumped, &missed, &err),
		     0, "%s", err);
	cr_assert(dumped, "a new fd the kernel did not show was not dumped for");
	input.now_us = 300000;
	cr_assert_eq(exact_snapshot(lab.exact, lab.probe, &input, &lab.raw, &dumped, &missed, &err),
		     0, "%s", err);
	cr_assert_not(dumped, "an fd already looked for was dumped for again");
	close(fresh);
	close(bound);
	probe_snapshot_done(&lab.raw);
	probe_free(lab.probe);
	exact_free(lab.exact);
}

static struct probe_socket tcp_socket(int state, uint16_t local_port, uint16_t peer_port,
				      uint64_t cookie)
{
	struct probe_socket socket = { .family = AF_INET,
				       .type = SOCK_STREAM,
				       .protocol = IPPROTO_TCP,
				       .state = state,
				       .cookie = cookie };
	struct sockaddr_in *local = (struct sockaddr_in *)&socket.local,
			   *peer = (struct sockaddr_in *)&socket.peer;
	local->sin_family = peer->sin_family = AF_INET;
	local->sin_addr.s_addr = peer->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	local->sin_port = htons(local_port);
	peer->sin_port = htons(peer_port);
	return socket;
}

/* Many labs on one host: a dump skipped a TIME-WAIT socket that an exact
 * request had found. It stays in the snapshot; a socket the dump has is
 * not added twice, even when the kernel gave its place to another (a
 * TIME-WAIT socket with a cookie of its own). */
Test(exact, a_socket_the_dump_skipped_is_kept_from_the_exact_replies)
{
	struct probe_socket dumped[] = { tcp_socket(TCP_LISTEN, 40000, 0, 1),
					 tcp_socket(TCP_TIME_WAIT, 40001, 50001, 9) };
	struct probe_socket exact_found[] = { tcp_socket(TCP_TIME_WAIT, 40000, 50000, 2),
					      tcp_socket(TCP_FIN_WAIT2, 40001, 50001, 3),
					      tcp_socket(TCP_LISTEN, 40000, 0, 1) };
	struct probe_snapshot dump = { 0 };
	for (size_t i = 0; i < 2; i++) {
		struct probe_snapshot one = { .sockets = &dumped[i], .count = 1 };
		cr_assert_eq(exact_add_unlisted(&dump, &one), 0);
	}
	cr_assert_eq(dump.count, 2);
	struct probe_snapshot found = { .sockets = exact_found, .count = 3 };
	cr_assert_eq(exact_add_unlisted(&dump, &found), 0);
	cr_assert_eq(dump.count, 3, "only the skipped TIME-WAIT socket joins");
	cr_expect_eq(dump.sockets[2].cookie, 2);
	cr_expect_eq(dump.sockets[1].state, TCP_TIME_WAIT, "the dump's own view of a socket wins");
	probe_snapshot_done(&dump);
}
