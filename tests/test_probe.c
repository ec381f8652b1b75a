/* Tests of probe: live dumps in the current network namespace, recorded
 * dumps (tests/fixtures/<kind>.bin, see tests/fixtures/make_fixtures.c for how
 * to re-record them), and the parser against every cut and corruption of
 * those recordings.
 *
 * The host may hold any number of other sockets: live tests pick out their
 * own by port or inode. No test sleeps: a test that needs the kernel to
 * finish something polls a file descriptor or re-reads the dump until it
 * sees it, under a deadline.
 *
 * The time a snapshot takes is a figure of tests/bench.c, not a test.
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <linux/netlink.h>

#include "probe.h"

#ifndef FIXTURE_DIR
#define FIXTURE_DIR "tests/fixtures"
#endif

/* The scene make_fixtures records; see its header comment. */
#define FIXTURE_UID 1000
#define FIXTURE_TCP_PORT 65432
#define FIXTURE_BOUND_PORT 65431
#define FIXTURE_UDP_PORT 65433

/* How long a live test waits for the kernel to settle a state change. */
#define DEADLINE_SECONDS 5

/* ---- helpers ---------------------------------------------------------- */

static struct probe *open_probe(void)
{
	struct probe *probe = NULL;
	char *err = NULL;

	cr_assert_eq(probe_open(&probe, &err), 0, "probe_open: %s", err ? err : "?");
	cr_assert_not_null(probe);
	return probe;
}

static void take_snapshot(struct probe *probe, unsigned what, struct probe_snapshot *snap)
{
	char *err = NULL;

	cr_assert_eq(probe_snapshot(probe, what, snap, &err), 0, "probe_snapshot: %s",
		     err ? err : "?");
	cr_assert_null(err);
}

static uint32_t inode_of(int fd)
{
	struct stat status;

	cr_assert_eq(fstat(fd, &status), 0);
	return (uint32_t)status.st_ino;
}

static int port_of_address(const struct sockaddr_storage *address)
{
	if (address->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)address)->sin6_port);
	return ntohs(((const struct sockaddr_in *)address)->sin_port);
}

static int port_of_fd(int fd)
{
	struct sockaddr_storage address;
	socklen_t length = sizeof(address);

	cr_assert_eq(getsockname(fd, (struct sockaddr *)&address, &length), 0);
	return port_of_address(&address);
}

static bool is_loopback(const struct sockaddr_storage *address)
{
	if (address->ss_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)address)->sin6_addr);
	return ((const struct sockaddr_in *)address)->sin_addr.s_addr == htonl(INADDR_LOOPBACK);
}

static const char *unix_name(const struct probe_socket *socket)
{
	return ((const struct sockaddr_un *)&socket->local)->sun_path;
}

/* The inet socket of `family` between these ports (peer_port 0: unconnected),
 * in `state` unless state is 0. */
static const struct probe_socket *find_inet(const struct probe_snapshot *snap, int family,
					    int local_port, int peer_port, int state)
{
	size_t i;

	for (i = 0; i < snap->count; i++) {
		const struct probe_socket *socket = &snap->sockets[i];

		if (socket->family == family && port_of_address(&socket->local) == local_port
		    && port_of_address(&socket->peer) == peer_port
		    && (state == 0 || socket->state == state))
			return socket;
	}
	return NULL;
}

static const struct probe_socket *find_inode(const struct probe_snapshot *snap, uint32_t inode)
{
	size_t i;

	for (i = 0; i < snap->count; i++) {
		if (snap->sockets[i].inode == inode)
			return &snap->sockets[i];
	}
	return NULL;
}

static size_t count_state(const struct probe_snapshot *snap, int state)
{
	size_t i, count = 0;

	for (i = 0; i < snap->count; i++)
		count += snap->sockets[i].state == state;
	return count;
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (now.tv_nsec - start->tv_nsec) / 1e9;
}

/* Re-reads the dump until the socket between these ports is in `state`.
 * A FIN is acknowledged with a delayed ACK (about 40 ms on loopback), so
 * some transitions take that long; the dump itself is the event here. */
static const struct probe_socket *wait_for_state(struct probe *probe, unsigned what,
						 struct probe_snapshot *snap, int family,
						 int local_port, int peer_port, int state)
{
	const struct probe_socket *socket;
	struct timespec start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		take_snapshot(probe, what, snap);
		socket = find_inet(snap, family, local_port, peer_port, state);
		if (socket != NULL || seconds_since(&start) > DEADLINE_SECONDS)
			return socket;
		sched_yield();
	}
}

/* A listener's accept queue is non-empty: the handshake is complete. */
static void wait_readable(int fd)
{
	struct pollfd poll_fd = { .fd = fd, .events = POLLIN };

	cr_assert_eq(poll(&poll_fd, 1, DEADLINE_SECONDS * 1000), 1, "poll: no connection came");
}

static int loopback_socket(int family, int type, struct sockaddr_storage *address,
			   socklen_t *length)
{
	int fd = socket(family, type | SOCK_CLOEXEC, 0);

	memset(address, 0, sizeof(*address));
	if (family == AF_INET6) {
		struct sockaddr_in6 *inet6 = (struct sockaddr_in6 *)address;

		inet6->sin6_family = AF_INET6;
		inet6->sin6_addr = in6addr_loopback;
		*length = sizeof(*inet6);
	} else {
		struct sockaddr_in *inet4 = (struct sockaddr_in *)address;

		inet4->sin_family = AF_INET;
		inet4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*length = sizeof(*inet4);
	}
	return fd;
}

/* A socket bound to loopback on a free port. */
static int bound_socket(int family, int type)
{
	struct sockaddr_storage address;
	socklen_t length;
	int fd = loopback_socket(family, type, &address, &length);

	cr_assert_geq(fd, 0, "socket: %s", strerror(errno));
	cr_assert_eq(bind(fd, (struct sockaddr *)&address, length), 0, "bind: %s", strerror(errno));
	return fd;
}

static int connected_socket(int family, int type, int port)
{
	struct sockaddr_storage address;
	socklen_t length;
	int fd = loopback_socket(family, type, &address, &length);

	cr_assert_geq(fd, 0, "socket: %s", strerror(errno));
	/* same offset in sockaddr_in6 */
	((struct sockaddr_in *)&address)->sin_port = htons(port);
	cr_assert_eq(connect(fd, (struct sockaddr *)&address, length), 0, "connect: %s",
		     strerror(errno));
	return fd;
}

/* An IPv6 loopback socket, or the test is skipped on a host without one. */
static int bound_socket_ipv6_or_skip(int type)
{
	struct sockaddr_storage address;
	socklen_t length;
	int fd = loopback_socket(AF_INET6, type, &address, &length);

	if (fd < 0 || bind(fd, (struct sockaddr *)&address, length) < 0) {
		if (fd >= 0)
			close(fd);
		cr_skip_test("no IPv6 loopback here (%s)", strerror(errno));
	}
	return fd;
}

/* ---- fixtures --------------------------------------------------------- */

struct fixture {
	void *bytes;            /* malloc'd, so aligned */
	size_t length;
};

static struct fixture fixture_read(const char *name)
{
	char path[4096];
	struct fixture fixture = { 0 };
	FILE *file;
	long size;

	snprintf(path, sizeof(path), "%s/%s", FIXTURE_DIR, name);
	file = fopen(path, "rb");
	cr_assert_not_null(file, "%s: %s", path, strerror(errno));
	cr_assert_eq(fseek(file, 0, SEEK_END), 0);
	size = ftell(file);
	cr_assert_gt(size, 0, "%s is empty", path);
	rewind(file);
	fixture.length = (size_t)size;
	fixture.bytes = malloc(fixture.length);
	cr_assert_not_null(fixture.bytes);
	cr_assert_eq(fread(fixture.bytes, 1, fixture.length, file), fixture.length);
	fclose(file);
	return fixture;
}

/* Parses a whole recorded dump, which must end in NLMSG_DONE. */
static void parse_fixture(const char *name, unsigned kind, struct probe_snapshot *snap)
{
	struct fixture fixture = fixture_read(name);
	char *err = NULL;

	cr_assert_eq(probe_parse_dump_kind(fixture.bytes, fixture.length, kind, snap, &err), 0,
		     "%s: %s", name, err ? err : "did not end in NLMSG_DONE");
	free(fixture.bytes);
}

static const struct {
	const char *name;
	unsigned kind;
} fixtures[] = {
	{ "tcp4.bin", PROBE_TCP4 }, { "tcp6.bin", PROBE_TCP6 }, { "udp4.bin", PROBE_UDP4 },
	{ "udp6.bin", PROBE_UDP6 }, { "unix.bin", PROBE_UNIX }, { "error.bin", PROBE_TCP4 },
};

#define FIXTURE_COUNT (sizeof(fixtures) / sizeof(fixtures[0]))

/* ---- live: TCP -------------------------------------------------------- */

Test(probe, shows_listener_queue_client_and_unaccepted_child)
{
	struct probe *probe = open_probe();
	struct probe_snapshot snap = { 0 };
	const struct probe_socket *listener, *client, *child;
	int listen_fd = bound_socket(AF_INET, SOCK_STREAM);
	int listen_port = port_of_fd(listen_fd);

	cr_assert_eq(listen(listen_fd, 5), 0);
	int client_fd = connected_socket(AF_INET, SOCK_STREAM, listen_port);
	int client_port = port_of_fd(client_fd);
	wait_readable(listen_fd);

	take_snapshot(probe, PROBE_TCP4, &snap);
	listener = find_inet(&snap, AF_INET, listen_port, 0, TCP_LISTEN);
	cr_assert_not_null(listener, "the listener is not in the dump");
	cr_assert_str_eq(probe_state_name(listener->state, listener->type), "LISTEN");
	cr_assert_eq(listener->recv_queue, 1, "accept queue: %u", listener->recv_queue);
	cr_assert_eq(listener->send_queue, 5, "backlog: %u", listener->send_queue);
	cr_assert_eq(listener->inode, inode_of(listen_fd));
	cr_assert_eq(listener->type, SOCK_STREAM);
	cr_assert_eq(listener->protocol, IPPROTO_TCP);
	cr_assert_eq(listener->uid, getuid());
	cr_assert(is_loopback(&listener->local));
	cr_assert_neq(listener->cookie, 0);

	client = find_inet(&snap, AF_INET, client_port, listen_port, TCP_ESTABLISHED);
	cr_assert_not_null(client, "the client is not ESTABLISHED");
	cr_assert_eq(client->inode, inode_of(client_fd));

	/* The child completed the handshake and waits in the accept queue:
	 * no file holds it yet, so the kernel reports inode 0. */
	child = find_inet(&snap, AF_INET, listen_port, client_port, TCP_ESTABLISHED);
	cr_assert_not_null(child, "the child in the accept queue is not in the dump");
	cr_assert_eq(child->inode, 0, "the unaccepted child has inode %u", child->inode);
	cr_assert_neq(child->cookie, client->cookie);

	/* The client's FIN: the child goes CLOSE-WAIT at once; the client
	 * FIN-WAIT-1, then FIN-WAIT-2 when the child's delayed ACK comes.
	 * The client is orphaned now, so it too has no inode. */
	close(client_fd);
	child = wait_for_state(probe, PROBE_TCP4, &snap, AF_INET, listen_port, client_port,
			       TCP_CLOSE_WAIT);
	cr_assert_not_null(child, "the child never went CLOSE-WAIT");
	client = wait_for_state(probe, PROBE_TCP4, &snap, AF_INET, client_port, listen_port,
				TCP_FIN_WAIT2);
	cr_assert_not_null(client, "the client never went FIN-WAIT-2");
	cr_assert_str_eq(probe_state_name(client->state, client->type), "FIN-WAIT-2");
	cr_assert_eq(client->inode, 0);
	child = find_inet(&snap, AF_INET, listen_port, client_port, TCP_CLOSE_WAIT);
	cr_assert_not_null(child, "the child left CLOSE-WAIT");
	cr_assert_str_eq(probe_state_name(child->state, child->type), "CLOSE-WAIT");
	listener = find_inet(&snap, AF_INET, listen_port, 0, TCP_LISTEN);
	cr_assert_not_null(listener);
	cr_assert_eq(listener->recv_queue, 1, "a closed connection still waits to be accepted");

	close(listen_fd);
	probe_snapshot_done(&snap);
	probe_free(probe);
}

Test(probe, shows_ipv6_listener_only_in_tcp6_dump)
{
	struct probe *probe = open_probe();
	struct probe_snapshot snap = { 0 };
	const struct probe_socket *listener;
	int listen_fd = bound_socket_ipv6_or_skip(SOCK_STREAM);
	int listen_port = port_of_fd(listen_fd);

	cr_assert_eq(listen(listen_fd, 3), 0);

	take_snapshot(probe, PROBE_TCP4, &snap);
	cr_assert_null(find_inet(&snap, AF_INET6, listen_port, 0, 0),
		       "an AF_INET6 socket in the TCP4 dump");
	cr_assert_null(find_inode(&snap, inode_of(listen_fd)));

	take_snapshot(probe, PROBE_TCP6, &snap);
	listener = find_inet(&snap, AF_INET6, listen_port, 0, TCP_LISTEN);
	cr_assert_not_null(listener, "the IPv6 listener is not in the TCP6 dump");
	cr_assert_eq(listener->inode, inode_of(listen_fd));
	cr_assert_eq(listener->send_queue, 3);
	cr_assert(is_loopback(&listener->local));
	for (size_t i = 0; i < snap.count; i++)
		cr_assert_eq(snap.sockets[i].family, AF_INET6);

	take_snapshot(probe, PROBE_TCP4 | PROBE_TCP6, &snap);
	cr_assert_not_null(find_inode(&snap, inode_of(listen_fd)));

	close(listen_fd);
	probe_snapshot_done(&snap);
	probe_free(probe);
}

Test(probe, shows_bound_socket_only_when_bound_inactive_is_asked)
{
	struct probe *probe = open_probe();
	struct probe_snapshot snap = { 0 };
	const struct probe_socket *bound;
	int fd = bound_socket(AF_INET, SOCK_STREAM);
	int port = port_of_fd(fd);

	take_snapshot(probe, PROBE_TCP4, &snap);
	cr_assert_null(find_inet(&snap, AF_INET, port, 0, 0),
		       "a bound socket without PROBE_BOUND_INACTIVE");

	take_snapshot(probe, PROBE_TCP4 | PROBE_BOUND_INACTIVE, &snap);
	bound = find_inet(&snap, AF_INET, port, 0, 0);
	if (bound == NULL)
		cr_skip_test("this kernel lists no bound-inactive socket (Linux < 6.9)");
	/* The kernel reports such a socket in its real state, TCP_CLOSE. */
	cr_assert_eq(bound->state, TCP_CLOSE);
	cr_assert_eq(bound->inode, inode_of(fd));
	cr_assert_str_eq(probe_socket_state_name(bound), "BOUND");

	close(fd);
	probe_snapshot_done(&snap);
	probe_free(probe);
}

/* ---- live: UDP -------------------------------------------------------- */

Test(probe, shows_bound_udp_socket_as_unconn)
{
	struct probe *probe = open_probe();
	struct probe_snapshot snap = { 0 };
	const struct probe_socket *server, *client;
	int server_fd = bound_socket(AF_INET, SOCK_DGRAM);
	int server_port = port_of_fd(server_fd);
	int client_fd = connected_socket(AF_INET, SOCK_DGRAM, server_port);
	int client_port = port_of_fd(client_fd);

	take_snapshot(probe, PROBE_UDP4, &snap);
	server = find_inet(&snap, AF_INET, server_port, 0, 0);
	cr_assert_not_null(server, "the bound UDP socket is not in the dump");
	cr_assert_eq(server->state, TCP_CLOSE);
	cr_assert_eq(server->type, SOCK_DGRAM);
	cr_assert_eq(server->protocol, IPPROTO_UDP);
	cr_assert_eq(server->inode, inode_of(server_fd));
	cr_assert_str_eq(probe_state_name(server->state, server->type), "UNCONN");
	cr_assert_str_eq(probe_socket_state_name(server), "UNCONN");

	client = find_inet(&snap, AF_INET, client_port, server_port, 0);
	cr_assert_not_null(client, "the connected UDP socket is not in the dump");
	cr_assert_str_eq(probe_state_name(client->state, client->type), "ESTABLISHED");

	take_snapshot(probe, PROBE_TCP4, &snap);
	cr_assert_null(find_inode(&snap, inode_of(server_fd)), "a UDP socket in the TCP dump");

	close(client_fd);
	close(server_fd);
	probe_snapshot_done(&snap);
	probe_free(probe);
}

Test(probe, shows_ipv6_udp_socket_in_udp6_dump)
{
	struct probe *probe = open_probe();
	struct probe_snapshot snap = { 0 };
	int fd = bound_socket_ipv6_or_skip(SOCK_DGRAM);
	const struct probe_socket *socket;

	take_snapshot(probe, PROBE_UDP4, &snap);
	cr_assert_null(find_inode(&snap, inode_of(fd)));
	take_snapshot(probe, PROBE_UDP6, &snap);
	socket = find_inode(&snap, inode_of(fd));
	cr_assert_not_null(socket);
	cr_assert_eq(socket->family, AF_INET6);
	cr_assert_eq(port_of_address(&socket->local), port_of_fd(fd));
	cr_assert_str_eq(probe_socket_state_name(socket), "UNCONN");

	close(fd);
	probe_snapshot_done(&snap);
	probe_free(probe);
}

/* ---- live: unix ------------------------------------------------------- */

Test(probe, shows_unix_listener_name_queue_and_peers)
{
	struct probe *probe = open_probe();
	struct probe_snapshot snap = { 0 };
	struct sockaddr_un address = { .sun_family = AF_UNIX };
	const struct probe_socket *listener, *client, *server, *first, *second, *loner;
	char name[64];
	int pair[2];
	size_t name_length;

	/* An abstract name: nothing on disk to clean up, unique per process. */
	snprintf(name, sizeof(name), "socklab-test-%d", (int)getpid());
	name_length = strlen(name);
	memcpy(address.sun_path + 1, name, name_length);
	socklen_t address_length = offsetof(struct sockaddr_un, sun_path) + 1 + name_length;

	int listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(listen_fd, 0);
	cr_assert_eq(bind(listen_fd, (struct sockaddr *)&address, address_length), 0);
	cr_assert_eq(listen(listen_fd, 4), 0);
	int client_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_eq(connect(client_fd, (struct sockaddr *)&address, address_length), 0);
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
	cr_assert_eq(write(pair[0], "abc", 3), 3);
	int loner_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(loner_fd, 0);

	take_snapshot(probe, PROBE_UNIX, &snap);
	listener = find_inode(&snap, inode_of(listen_fd));
	cr_assert_not_null(listener, "the unix listener is not in the dump");
	cr_assert_eq(listener->family, AF_UNIX);
	cr_assert_eq(listener->type, SOCK_STREAM);
	cr_assert_eq(listener->protocol, 0);
	cr_assert_str_eq(probe_socket_state_name(listener), "LISTEN");
	cr_assert_eq(unix_name(listener)[0], '@');
	cr_assert_str_eq(unix_name(listener) + 1, name);
	cr_assert_eq(listener->recv_queue, 1, "accept queue: %u", listener->recv_queue);
	cr_assert_eq(listener->send_queue, 4, "backlog: %u", listener->send_queue);
	cr_assert_eq(listener->uid, getuid());

	/* The client's peer is the embryo in the accept queue: it has no
	 * inode yet, so the kernel reports peer 0 until accept(). */
	client = find_inode(&snap, inode_of(client_fd));
	cr_assert_not_null(client);
	cr_assert_str_eq(probe_socket_state_name(client), "ESTABLISHED");
	cr_assert_eq(client->peer_inode, 0);

	first = find_inode(&snap, inode_of(pair[0]));
	second = find_inode(&snap, inode_of(pair[1]));
	cr_assert_not_null(first);
	cr_assert_not_null(second);
	cr_assert_eq(first->peer_inode, inode_of(pair[1]));
	cr_assert_eq(second->peer_inode, inode_of(pair[0]));
	cr_assert_eq(second->recv_queue, 3, "bytes waiting: %u", second->recv_queue);
	cr_assert_str_eq(unix_name(first), "");

	loner = find_inode(&snap, inode_of(loner_fd));
	cr_assert_not_null(loner);
	cr_assert_eq(loner->state, TCP_CLOSE);
	cr_assert_str_eq(probe_socket_state_name(loner), "UNCONN");

	int server_fd = accept(listen_fd, NULL, NULL);
	cr_assert_geq(server_fd, 0);
	take_snapshot(probe, PROBE_UNIX, &snap);
	client = find_inode(&snap, inode_of(client_fd));
	server = find_inode(&snap, inode_of(server_fd));
	cr_assert_not_null(client);
	cr_assert_not_null(server);
	cr_assert_eq(client->peer_inode, inode_of(server_fd));
	cr_assert_eq(server->peer_inode, inode_of(client_fd));
	listener = find_inode(&snap, inode_of(listen_fd));
	cr_assert_eq(listener->recv_queue, 0);

	close(server_fd);
	close(loner_fd);
	close(pair[0]);
	close(pair[1]);
	close(client_fd);
	close(listen_fd);
	probe_snapshot_done(&snap);
	probe_free(probe);
}

/* ---- live: the snapshot itself ---------------------------------------- */

Test(probe, snapshot_clears_what_it_held_before)
{
	struct probe *probe = open_probe();
	struct probe_snapshot snap = { 0 };
	int fd = bound_socket(AF_INET, SOCK_DGRAM);

	take_snapshot(probe, PROBE_UDP4, &snap);
	cr_assert_geq(snap.count, 1);
	take_snapshot(probe, 0, &snap);
	cr_assert_eq(snap.count, 0);
	/* Many dumps on one socket: the sequence numbers keep them apart. */
	for (int i = 0; i < 100; i++) {
		take_snapshot(probe, PROBE_UDP4 | PROBE_UNIX, &snap);
		cr_assert_not_null(find_inode(&snap, inode_of(fd)));
	}
	probe_snapshot_done(&snap);
	probe_snapshot_done(&snap);
	cr_assert_null(snap.sockets);
	close(fd);
	probe_free(probe);
	probe_free(NULL);
}

/* ---- recorded dumps --------------------------------------------------- */

Test(probe, parses_recorded_tcp4_dump)
{
	struct probe_snapshot snap = { 0 };
	const struct probe_socket *listener, *bound, *close_wait, *client;
	const struct probe_socket *time_wait = NULL, *fin_wait = NULL, *child = NULL;

	parse_fixture("tcp4.bin", PROBE_TCP4, &snap);
	cr_assert_eq(snap.count, 7);
	for (size_t i = 0; i < snap.count; i++) {
		cr_assert_eq(snap.sockets[i].family, AF_INET);
		cr_assert_eq(snap.sockets[i].type, SOCK_STREAM);
		cr_assert_eq(snap.sockets[i].protocol, IPPROTO_TCP);
		cr_assert(is_loopback(&snap.sockets[i].local));
		for (size_t j = 0; j < i; j++)
			cr_assert_neq(snap.sockets[i].cookie, snap.sockets[j].cookie);
	}

	listener = find_inet(&snap, AF_INET, FIXTURE_TCP_PORT, 0, TCP_LISTEN);
	cr_assert_not_null(listener);
	cr_assert_eq(listener->recv_queue, 1);
	cr_assert_eq(listener->send_queue, 5);
	cr_assert_neq(listener->inode, 0);
	cr_assert_eq(listener->uid, FIXTURE_UID);

	bound = find_inet(&snap, AF_INET, FIXTURE_BOUND_PORT, 0, TCP_CLOSE);
	cr_assert_not_null(bound);
	cr_assert_str_eq(probe_socket_state_name(bound), "BOUND");

	/* TIME-WAIT and the orphaned FIN-WAIT-2 are timewait sockets: no
	 * inode, no uid, the TIME-WAIT timer (3) running. */
	cr_assert_eq(count_state(&snap, TCP_TIME_WAIT), 1);
	for (size_t i = 0; i < snap.count; i++) {
		if (snap.sockets[i].state == TCP_TIME_WAIT)
			time_wait = &snap.sockets[i];
		if (snap.sockets[i].state == TCP_FIN_WAIT2)
			fin_wait = &snap.sockets[i];
	}
	cr_assert_not_null(time_wait);
	cr_assert_eq(port_of_address(&time_wait->peer), FIXTURE_TCP_PORT);
	cr_assert_eq(time_wait->inode, 0);
	cr_assert_eq(time_wait->timer, 3);
	cr_assert(time_wait->timer_ms > 0 && time_wait->timer_ms <= 60000);

	cr_assert_eq(count_state(&snap, TCP_FIN_WAIT2), 1);
	cr_assert_not_null(fin_wait);
	cr_assert_eq(port_of_address(&fin_wait->local), FIXTURE_TCP_PORT);
	cr_assert_eq(fin_wait->inode, 0);
	cr_assert_eq(fin_wait->timer, 3);
	close_wait = find_inet(&snap, AF_INET, port_of_address(&fin_wait->peer), FIXTURE_TCP_PORT,
			       TCP_CLOSE_WAIT);
	cr_assert_not_null(close_wait, "the FIN-WAIT-2 socket's peer is not CLOSE-WAIT");
	cr_assert_neq(close_wait->inode, 0);
	cr_assert_eq(close_wait->recv_queue, 1, "the FIN counts as one byte: %u",
		     close_wait->recv_queue);

	cr_assert_eq(count_state(&snap, TCP_ESTABLISHED), 2);
	for (size_t i = 0; i < snap.count; i++) {
		if (snap.sockets[i].state == TCP_ESTABLISHED && snap.sockets[i].inode == 0)
			child = &snap.sockets[i];
	}
	cr_assert_not_null(child, "no ESTABLISHED socket without an inode (the unaccepted child)");
	cr_assert_eq(port_of_address(&child->local), FIXTURE_TCP_PORT);
	client = find_inet(&snap, AF_INET, port_of_address(&child->peer), FIXTURE_TCP_PORT,
			   TCP_ESTABLISHED);
	cr_assert_not_null(client);
	cr_assert_neq(client->inode, 0);
	probe_snapshot_done(&snap);
}

Test(probe, parses_recorded_tcp6_dump)
{
	struct probe_snapshot snap = { 0 };
	const struct probe_socket *listener;

	parse_fixture("tcp6.bin", PROBE_TCP6, &snap);
	cr_assert_eq(snap.count, 3);
	listener = find_inet(&snap, AF_INET6, FIXTURE_TCP_PORT, 0, TCP_LISTEN);
	cr_assert_not_null(listener);
	cr_assert(is_loopback(&listener->local));
	cr_assert_eq(listener->recv_queue, 1);
	cr_assert_eq(listener->send_queue, 3);
	cr_assert_eq(count_state(&snap, TCP_ESTABLISHED), 2);
	probe_snapshot_done(&snap);
}

Test(probe, parses_recorded_udp_dumps)
{
	struct probe_snapshot snap = { 0 };
	const struct probe_socket *server, *client;

	parse_fixture("udp4.bin", PROBE_UDP4, &snap);
	cr_assert_eq(snap.count, 2);
	server = find_inet(&snap, AF_INET, FIXTURE_UDP_PORT, 0, TCP_CLOSE);
	cr_assert_not_null(server);
	cr_assert_eq(server->type, SOCK_DGRAM);
	cr_assert_eq(server->protocol, IPPROTO_UDP);
	cr_assert_str_eq(probe_state_name(server->state, server->type), "UNCONN");
	/* UDP reports the memory its queue holds, not the 5 bytes of payload. */
	cr_assert_gt(server->recv_queue, 5);
	cr_assert_eq(count_state(&snap, TCP_ESTABLISHED), 1);
	client = &snap.sockets[server == &snap.sockets[0] ? 1 : 0];
	cr_assert_eq(port_of_address(&client->peer), FIXTURE_UDP_PORT);
	cr_assert_str_eq(probe_socket_state_name(client), "ESTABLISHED");
	probe_snapshot_done(&snap);

	parse_fixture("udp6.bin", PROBE_UDP6, &snap);
	cr_assert_eq(snap.count, 1);
	cr_assert_eq(snap.sockets[0].family, AF_INET6);
	cr_assert_eq(port_of_address(&snap.sockets[0].local), FIXTURE_UDP_PORT);
	cr_assert_str_eq(probe_socket_state_name(&snap.sockets[0]), "UNCONN");
	probe_snapshot_done(&snap);
}

Test(probe, parses_recorded_unix_dump)
{
	struct probe_snapshot snap = { 0 };
	const struct probe_socket *listener = NULL, *client = NULL, *datagram = NULL,
				  *pair[2] = { 0 };
	size_t pair_count = 0;

	parse_fixture("unix.bin", PROBE_UNIX, &snap);
	cr_assert_eq(snap.count, 5);
	for (size_t i = 0; i < snap.count; i++) {
		const struct probe_socket *socket = &snap.sockets[i];

		cr_assert_eq(socket->family, AF_UNIX);
		cr_assert_eq(socket->uid, FIXTURE_UID);
		cr_assert_neq(socket->inode, 0);
		if (socket->state == TCP_LISTEN)
			listener = socket;
		else if (socket->type == SOCK_DGRAM)
			datagram = socket;
		else if (socket->peer_inode == 0)
			client = socket;
		else if (pair_count < 2)
			pair[pair_count++] = socket;
	}
	cr_assert_not_null(listener);
	cr_assert_str_eq(unix_name(listener), "@socklab-fixture");
	cr_assert_eq(listener->recv_queue, 1);
	cr_assert_eq(listener->send_queue, 4);
	cr_assert_not_null(client);
	cr_assert_eq(client->state, TCP_ESTABLISHED);
	cr_assert_not_null(datagram);
	cr_assert_str_eq(unix_name(datagram), "");
	cr_assert_str_eq(probe_socket_state_name(datagram), "UNCONN");
	cr_assert_eq(pair_count, 2);
	cr_assert_eq(pair[0]->peer_inode, pair[1]->inode);
	cr_assert_eq(pair[1]->peer_inode, pair[0]->inode);
	cr_assert_eq(pair[0]->recv_queue + pair[1]->recv_queue, 3);
	probe_snapshot_done(&snap);
}

Test(probe, reports_recorded_kernel_error_with_its_errno)
{
	struct fixture fixture = fixture_read("error.bin");
	struct probe_snapshot snap = { 0 };
	char *err = NULL;

	cr_assert_eq(probe_parse_dump_kind(fixture.bytes, fixture.length, PROBE_TCP4, &snap, &err),
		     -1);
	cr_assert_not_null(err);
	cr_assert_not_null(strstr(err, strerror(EINVAL)), "%s", err);
	cr_assert_eq(snap.count, 0);
	free(err);
	free(fixture.bytes);
}

Test(probe, reads_inet_dump_as_tcp_without_a_kind)
{
	struct fixture fixture = fixture_read("tcp4.bin");
	struct probe_snapshot snap = { 0 };
	char *err = NULL;

	cr_assert_eq(probe_parse_dump(fixture.bytes, fixture.length, 0, &snap, &err), 0);
	cr_assert_eq(snap.count, 7);
	cr_assert_eq(snap.sockets[0].protocol, IPPROTO_TCP);
	probe_snapshot_done(&snap);
	free(fixture.bytes);

	fixture = fixture_read("unix.bin");
	cr_assert_eq(probe_parse_dump(fixture.bytes, fixture.length, 1, &snap, &err), 0);
	cr_assert_eq(snap.count, 5);
	probe_snapshot_done(&snap);
	free(fixture.bytes);
}

Test(probe, refuses_dump_of_another_kind)
{
	struct fixture fixture = fixture_read("tcp4.bin");
	struct probe_snapshot snap = { 0 };
	char *err = NULL;

	cr_assert_eq(probe_parse_dump_kind(fixture.bytes, fixture.length, PROBE_TCP6, &snap, &err),
		     -1);
	cr_assert_not_null(err);
	free(err);
	err = NULL;
	cr_assert_eq(probe_parse_dump_kind(fixture.bytes, fixture.length, PROBE_TCP4 | PROBE_TCP6,
					   &snap, &err),
		     -1);
	cr_assert_not_null(err);
	free(err);
	err = NULL;
	cr_assert_eq(probe_parse_dump_kind(fixture.bytes, fixture.length, PROBE_UNIX, &snap, &err),
		     -1);
	cr_assert_not_null(err);
	free(err);
	probe_snapshot_done(&snap);
	free(fixture.bytes);
}

/* ---- malformed input -------------------------------------------------- */

/* Parses `length` bytes from a buffer of exactly that size (so AddressSanitizer
 * sees any read past the end) and checks the contract: -1 comes with a
 * message, 0 and 1 without. Returns the result. */
static int parse_exact(const void *bytes, size_t length, unsigned kind)
{
	struct probe_snapshot snap = { 0 };
	void *copy = malloc(length ? length : 1);
	char *err = NULL;
	int result;

	cr_assert_not_null(copy);
	memcpy(copy, bytes, length);
	result = probe_parse_dump_kind(copy, length, kind, &snap, &err);
	cr_assert(result >= -1 && result <= 1, "result %d", result);
	if (result == -1)
		cr_assert_not_null(err, "-1 without a message");
	else
		cr_assert_null(err, "a message without -1: %s", err);
	free(err);
	free(copy);
	probe_snapshot_done(&snap);
	return result;
}

/* Where each message of a recorded dump starts. */
static bool is_message_boundary(const struct fixture *fixture, size_t offset)
{
	size_t at = 0;

	while (at < offset) {
		const struct nlmsghdr *message =
			(const struct nlmsghdr *)((const char *)fixture->bytes + at);

		at += NLMSG_ALIGN(message->nlmsg_len);
	}
	return at == offset;
}

Test(probe, rejects_every_truncation_of_recorded_dumps)
{
	for (size_t f = 0; f < FIXTURE_COUNT; f++) {
		struct fixture fixture = fixture_read(fixtures[f].name);

		for (size_t length = 0; length < fixture.length; length++) {
			int result = parse_exact(fixture.bytes, length, fixtures[f].kind);

			/* Cut between messages, a dump is merely unfinished. */
			if (is_message_boundary(&fixture, length))
				cr_assert_eq(result, 1, "%s cut at %zu: %d", fixtures[f].name,
					     length, result);
			else
				cr_assert_eq(result, -1, "%s cut at %zu: %d", fixtures[f].name,
					     length, result);
		}
		free(fixture.bytes);
	}
}

/* xorshift32: the same garbage on every run. */
static uint32_t next_random(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

Test(probe, survives_corrupted_recorded_dumps)
{
	uint32_t random_state = 0x50c4e7u;

	for (size_t f = 0; f < FIXTURE_COUNT; f++) {
		struct fixture fixture = fixture_read(fixtures[f].name);
		unsigned char *mutated = malloc(fixture.length);

		cr_assert_not_null(mutated);
		for (int round = 0; round < 3000; round++) {
			int changes = 1 + next_random(&random_state) % 4;

			memcpy(mutated, fixture.bytes, fixture.length);
			for (int c = 0; c < changes; c++) {
				size_t at = next_random(&random_state) % fixture.length;

				/* Small values hit the length and type fields' edges. */
				mutated[at] = (round & 1)
					? (unsigned char)next_random(&random_state)
					: (unsigned char)(next_random(&random_state) % 8);
			}
			parse_exact(mutated, fixture.length, fixtures[f].kind);
			parse_exact(mutated, next_random(&random_state) % (fixture.length + 1),
				    fixtures[f].kind);
		}
		free(mutated);
		free(fixture.bytes);
	}
}

Test(probe, survives_random_bytes)
{
	uint32_t random_state = 0xb0b5u;
	unsigned char bytes[512];
	static const unsigned kinds[] = { PROBE_TCP4, PROBE_TCP6, PROBE_UDP4, PROBE_UDP6,
					  PROBE_UNIX };

	for (int round = 0; round < 20000; round++) {
		size_t length = next_random(&random_state) % sizeof(bytes);

		for (size_t i = 0; i < length; i++)
			bytes[i] = (unsigned char)next_random(&random_state);
		/* A plausible header now and then, to get past the first check. */
		if (length >= sizeof(struct nlmsghdr) && (round & 1)) {
			struct nlmsghdr header = {
				.nlmsg_len = (uint32_t)(next_random(&random_state) % (length + 8)),
				.nlmsg_type = (uint16_t)(next_random(&random_state) % 24),
			};
			memcpy(bytes, &header, sizeof(header));
		}
		parse_exact(bytes, length, kinds[round % 5]);
	}
}

Test(probe, rejects_misaligned_buffer)
{
	struct fixture fixture = fixture_read("udp6.bin");
	struct probe_snapshot snap = { 0 };
	char *shifted = malloc(fixture.length + 1);
	char *err = NULL;

	cr_assert_not_null(shifted);
	memcpy(shifted + 1, fixture.bytes, fixture.length);
	cr_assert_eq(probe_parse_dump_kind(shifted + 1, fixture.length, PROBE_UDP6, &snap, &err),
		     -1);
	cr_assert_not_null(err);
	free(err);
	free(shifted);
	free(fixture.bytes);
}

/* ---- names ------------------------------------------------------------ */

Test(probe, names_every_state_the_kernel_reports)
{
	static const char *const expected[] = {
		[1] = "ESTABLISHED", [2] = "SYN-SENT", [3] = "SYN-RECV", [4] = "FIN-WAIT-1",
		[5] = "FIN-WAIT-2", [6] = "TIME-WAIT", [7] = "CLOSE", [8] = "CLOSE-WAIT",
		[9] = "LAST-ACK",    [10] = "LISTEN",   [11] = "CLOSING", [12] = "SYN-RECV",
		[13] = "BOUND",
	};

	for (int state = 1; state <= 13; state++)
		cr_assert_str_eq(probe_state_name(state, SOCK_STREAM), expected[state], "state %d",
				 state);
	cr_assert_str_eq(probe_state_name(0, SOCK_STREAM), "?");
	cr_assert_str_eq(probe_state_name(14, SOCK_STREAM), "?");
	cr_assert_str_eq(probe_state_name(-1, SOCK_STREAM), "?");
	cr_assert_str_eq(probe_state_name(255, SOCK_DGRAM), "?");
	cr_assert_str_eq(probe_state_name(TCP_CLOSE, SOCK_DGRAM), "UNCONN");
	cr_assert_str_eq(probe_state_name(TCP_CLOSE, SOCK_SEQPACKET), "UNCONN");
	cr_assert_str_eq(probe_state_name(TCP_ESTABLISHED, SOCK_DGRAM), "ESTABLISHED");
}

Test(probe, names_closed_sockets_by_family)
{
	struct probe_socket socket = { .family = AF_UNIX, .type = SOCK_STREAM, .state = TCP_CLOSE };

	cr_assert_str_eq(probe_socket_state_name(&socket), "UNCONN");
	socket.state = TCP_LISTEN;
	cr_assert_str_eq(probe_socket_state_name(&socket), "LISTEN");
	socket = (struct probe_socket){
		.family = AF_INET, .type = SOCK_STREAM, .protocol = IPPROTO_TCP, .state = TCP_CLOSE
	};
	cr_assert_str_eq(probe_socket_state_name(&socket), "BOUND");
	socket.state = TCP_TIME_WAIT;
	cr_assert_str_eq(probe_socket_state_name(&socket), "TIME-WAIT");
	socket = (struct probe_socket){
		.family = AF_INET6, .type = SOCK_DGRAM, .protocol = IPPROTO_UDP, .state = TCP_CLOSE
	};
	cr_assert_str_eq(probe_socket_state_name(&socket), "UNCONN");
}

/* ---- exact requests ---------------------------------------------------- */

static void look_up(struct probe *probe, const struct probe_key *keys, size_t count,
		    struct probe_snapshot *snap)
{
	char *err = NULL;

	probe_snapshot_clear(snap);
	cr_assert_eq(probe_lookup(probe, keys, count, snap, &err), 0, "probe_lookup: %s",
		     err ? err : "?");
}

Test(probe, finds_exactly_the_sockets_asked_for_by_their_identity)
{
	struct probe *probe = open_probe();
	struct probe_snapshot snap = { 0 }, found = { 0 };
	int listen_fd = bound_socket(AF_INET, SOCK_STREAM);
	int listen_port = port_of_fd(listen_fd);
	cr_assert_eq(listen(listen_fd, 5), 0);
	int client_fd = connected_socket(AF_INET, SOCK_STREAM, listen_port);
	int client_port = port_of_fd(client_fd);
	wait_readable(listen_fd);
	take_snapshot(probe, PROBE_TCP4, &snap);

	/* The listener by its local address, the client by its 4-tuple, the
	 * child in the accept queue as the client's mirror. */
	struct probe_key keys[4];
	const struct probe_socket *listener = find_inet(&snap, AF_INET, listen_port, 0, TCP_LISTEN);
	const struct probe_socket *client =
		find_inet(&snap, AF_INET, client_port, listen_port, TCP_ESTABLISHED);
	cr_assert_not_null(listener);
	cr_assert_not_null(client);
	cr_assert_eq(probe_key_of(listener, &keys[0]), 0);
	cr_assert_eq(probe_key_of(client, &keys[1]), 0);
	keys[2] = (struct probe_key){ .kind = PROBE_TCP4, .local = client->peer,
				      .peer = client->local };
	/* A connection nobody has: not found, and not taken for the
	 * listener the kernel's lookup falls back to. */
	keys[3] = keys[2];
	((struct sockaddr_in *)&keys[3].peer)->sin_port = htons(1);
	uint64_t client_cookie = client->cookie;
	look_up(probe, keys, 4, &found);
	cr_assert_eq(found.count, 3, "%zu sockets", found.count);
	listener = find_inet(&found, AF_INET, listen_port, 0, TCP_LISTEN);
	cr_assert_not_null(listener);
	cr_assert_eq(listener->recv_queue, 1, "accept queue: %u", listener->recv_queue);
	cr_assert_eq(listener->inode, inode_of(listen_fd));
	client = find_inet(&found, AF_INET, client_port, listen_port, TCP_ESTABLISHED);
	cr_assert_not_null(client);
	cr_assert_eq(client->inode, inode_of(client_fd));
	const struct probe_socket *child =
		find_inet(&found, AF_INET, listen_port, client_port, TCP_ESTABLISHED);
	cr_assert_not_null(child,
			   "the child in the accept queue was not found as the client's mirror");
	cr_assert_eq(child->inode, 0);

	/* After close() the client ends in TIME-WAIT, a new kernel socket
	 * with another cookie: found by the 4-tuple all the same. */
	int child_fd = accept(listen_fd, NULL, NULL);
	cr_assert_geq(child_fd, 0);
	close(client_fd);
	close(child_fd);
	const struct probe_socket *waiting =
		wait_for_state(probe, PROBE_TCP4, &snap, AF_INET, client_port, listen_port,
			       TCP_TIME_WAIT);
	cr_assert_not_null(waiting, "the client never reached TIME-WAIT");
	keys[1].cookie = client_cookie;
	look_up(probe, &keys[1], 1, &found);
	cr_assert_eq(found.count, 1, "%zu sockets", found.count);
	cr_assert_eq(found.sockets[0].state, TCP_TIME_WAIT, "%d", found.sockets[0].state);

	close(listen_fd);
	probe_snapshot_done(&snap);
	probe_snapshot_done(&found);
	probe_free(probe);
}

Test(probe, finds_a_unix_socket_by_its_inode)
{
	struct probe *probe = open_probe();
	struct probe_snapshot found = { 0 };
	int pair[2];
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
	struct probe_key keys[2] = {
		{ .kind = PROBE_UNIX, .inode = inode_of(pair[0]) },
		{ .kind = PROBE_UNIX, .inode = inode_of(pair[0]) + 1000000 },
	};
	look_up(probe, keys, 2, &found);
	cr_assert_eq(found.count, 1, "%zu sockets", found.count);
	cr_assert_eq(found.sockets[0].inode, inode_of(pair[0]));
	cr_assert_eq(found.sockets[0].peer_inode, inode_of(pair[1]));
	close(pair[0]);
	close(pair[1]);
	probe_snapshot_done(&found);
	probe_free(probe);
}

Test(probe, finds_udp_sockets_by_their_addresses)
{
	struct probe *probe = open_probe();
	struct probe_snapshot snap = { 0 }, found = { 0 };
	int unconnected = bound_socket(AF_INET, SOCK_DGRAM);
	int unconnected_port = port_of_fd(unconnected);
	int connected = connected_socket(AF_INET, SOCK_DGRAM, unconnected_port);
	int connected_port = port_of_fd(connected);
	take_snapshot(probe, PROBE_UDP4, &snap);
	const struct probe_socket *first = find_inet(&snap, AF_INET, unconnected_port, 0, 0);
	const struct probe_socket *second =
		find_inet(&snap, AF_INET, connected_port, unconnected_port, 0);
	cr_assert_not_null(first);
	cr_assert_not_null(second);
	struct probe_key keys[2];
	cr_assert_eq(probe_key_of(first, &keys[0]), 0);
	cr_assert_eq(probe_key_of(second, &keys[1]), 0);
	cr_assert_eq(keys[0].kind, PROBE_UDP4);
	look_up(probe, keys, 2, &found);
	cr_assert_eq(found.count, 2, "%zu sockets", found.count);
	cr_assert_not_null(find_inode(&found, inode_of(unconnected)));
	cr_assert_not_null(find_inode(&found, inode_of(connected)));
	cr_assert_eq(find_inode(&found, inode_of(connected))->protocol, IPPROTO_UDP);
	close(connected);
	close(unconnected);
	look_up(probe, keys, 2, &found);
	cr_assert_eq(found.count, 0, "closed UDP sockets found: %zu", found.count);
	probe_snapshot_done(&snap);
	probe_snapshot_done(&found);
	probe_free(probe);
}
