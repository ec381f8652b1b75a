/* The tying rule on made-up kernel snapshots: no kernel, no puppets. */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "tie.h"

enum { SERVER, CLIENT, CLIENT2 };

static struct tie *tie;
static struct probe_snapshot raw;
static struct tie_fd fds[64];
static size_t fd_count;
static struct lab_snapshot before, now;

static void set_up(void)
{
	tie = tie_new();
	cr_assert_not_null(tie);
	memset(&raw, 0, sizeof raw);
	fd_count = 0;
	memset(&before, 0, sizeof before);
	memset(&now, 0, sizeof now);
}

static void tear_down(void)
{
	tie_free(tie);
	probe_snapshot_done(&raw);
	lab_snapshot_done(&before);
	lab_snapshot_done(&now);
}

TestSuite(tie, .init = set_up, .fini = tear_down);

static void set_inet(struct sockaddr_storage *out, const char *ip, uint16_t port)
{
	memset(out, 0, sizeof *out);
	if (strchr(ip, ':')) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		cr_assert_eq(inet_pton(AF_INET6, ip, &in6->sin6_addr), 1);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)out;
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		cr_assert_eq(inet_pton(AF_INET, ip, &in->sin_addr), 1);
	}
}

/* A TCP socket as sock_diag lists it: peer "" means none (port 0). */
static struct probe_socket *kernel_tcp(int state, const char *ip, uint16_t port,
				       const char *peer_ip, uint16_t peer_port, uint32_t inode)
{
	if (raw.count == raw.capacity) {
		raw.capacity = raw.capacity ? raw.capacity * 2 : 16;
		raw.sockets = realloc(raw.sockets, raw.capacity * sizeof *raw.sockets);
		cr_assert_not_null(raw.sockets);
	}
	struct probe_socket *s = &raw.sockets[raw.count++];
	memset(s, 0, sizeof *s);
	s->family = strchr(ip, ':') ? AF_INET6 : AF_INET;
	s->type = SOCK_STREAM;
	s->protocol = IPPROTO_TCP;
	s->state = state;
	set_inet(&s->local, ip, port);
	set_inet(&s->peer, peer_ip ? peer_ip : (s->family == AF_INET6 ? "::" : "0.0.0.0"),
		 peer_port);
	s->inode = inode;
	return s;
}

static struct probe_socket *kernel_unix(int state, const char *path, uint32_t inode,
					uint32_t peer_inode)
{
	struct probe_socket *s = kernel_tcp(state, "127.0.0.1", 0, NULL, 0, inode);
	memset(&s->local, 0, sizeof s->local);
	memset(&s->peer, 0, sizeof s->peer);
	s->family = AF_UNIX;
	s->protocol = 0;
	struct sockaddr_un *un = (struct sockaddr_un *)&s->local;
	un->sun_family = AF_UNIX;
	if (path)
		strncpy(un->sun_path, path, sizeof un->sun_path - 1);
	s->peer_inode = peer_inode;
	return s;
}

static void hold(int side, int fd, uint32_t inode, const char *name)
{
	cr_assert_lt(fd_count, sizeof fds / sizeof fds[0]);
	fds[fd_count++] = (struct tie_fd){ .side = side, .fd = fd, .inode = inode, .name = name,
					   .family = AF_INET, .type = SOCK_STREAM };
}

static void snap(bool host)
{
	lab_snapshot_done(&before);
	before = now;
	memset(&now, 0, sizeof now);
	struct tie_input input = {
		.raw = &raw, .fds = fds, .fd_count = fd_count, .baseline = &before, .host = host
	};
	char *err = NULL;
	cr_assert_eq(tie_snapshot(tie, &input, &now, &err), 0, "%s", err ? err : "");
}

/* The next kernel snapshot starts empty; the fds stay as they are. */
static void next_dump(void)
{
	raw.count = 0;
}

static const struct lab_socket *row(size_t i)
{
	cr_assert_lt(i, now.count, "only %zu rows", now.count);
	return now.sockets[i];
}

/* The value of an address's text, for one call. */
static const struct lab_address *address_of(const char *text)
{
	static struct lab_address value;
	cr_assert_eq(lab_address_parse(text, &value), 0, "%s", text);
	return &value;
}

static const struct lab_socket *row_with(int side, const char *local, const char *peer)
{
	for (size_t i = 0; i < now.count; i++)
		if (now.sockets[i]->side == side
		    && strcmp(lab_address_shown(&now.sockets[i]->local).text, local) == 0
		    && strcmp(lab_address_shown(&now.sockets[i]->peer).text, peer) == 0)
			return now.sockets[i];
	cr_assert_fail("no row of side %d with %s -> %s", side, local, peer);
	return NULL;
}

/* The echo pair after connect(), before accept(): listener, client, queued child. */
static void echo_pair_connected(void)
{
	kernel_tcp(TCP_LISTEN, "127.0.0.1", 65432, NULL, 0, 100);
	kernel_tcp(TCP_ESTABLISHED, "127.0.0.1", 40000, "127.0.0.1", 65432, 200);
	kernel_tcp(TCP_ESTABLISHED, "127.0.0.1", 65432, "127.0.0.1", 40000, 0);
	hold(SERVER, 3, 100, "ls");
	hold(CLIENT, 3, 200, "c");
}

Test(tie, ties_a_socket_to_the_side_and_name_of_its_fd)
{
	kernel_tcp(TCP_LISTEN, "127.0.0.1", 65432, NULL, 0, 100);
	hold(SERVER, 3, 100, "ls");
	snap(false);
	cr_assert_eq(now.count, 1);
	cr_assert_eq(row(0)->side, SERVER);
	cr_assert_eq(row(0)->fd, 3);
	cr_assert_str_eq(row(0)->name, "ls");
	cr_assert_str_eq(lab_address_shown(&row(0)->local).text, "127.0.0.1:65432");
	cr_assert_eq(row(0)->note, NOTE_NONE);
}

Test(tie, a_connection_in_the_accept_queue_belongs_to_the_listeners_side_with_no_fd)
{
	echo_pair_connected();
	snap(false);
	const struct lab_socket *child = row_with(SERVER, "127.0.0.1:65432", "127.0.0.1:40000");
	cr_assert_eq(child->fd, -1);
	cr_assert_eq(child->note, NOTE_ACCEPT_QUEUE);
}

Test(tie, a_request_socket_is_syn_recv_with_the_handshake_note)
{
	kernel_tcp(TCP_LISTEN, "127.0.0.1", 65432, NULL, 0, 100);
	kernel_tcp(12 /* NEW_SYN_RECV */, "127.0.0.1", 65432, "127.0.0.1", 40000, 0);
	hold(SERVER, 3, 100, "ls");
	snap(false);
	const struct lab_socket *request = row_with(SERVER, "127.0.0.1:65432", "127.0.0.1:40000");
	cr_assert_eq(request->state, TCP_SYN_RECV);
	cr_assert_eq(request->note, NOTE_HANDSHAKE);
}

Test(tie, a_queued_child_sorts_after_the_listener)
{
	echo_pair_connected();
	snap(false);
	cr_assert_str_eq(row(0)->name, "ls");
	cr_assert_eq(row(1)->fd, -1);
	cr_assert_eq(row(1)->side, SERVER);
	cr_assert_eq(row(2)->side, CLIENT);
}

Test(tie, an_accepted_connection_takes_its_new_fd_and_name)
{
	echo_pair_connected();
	snap(false);
	raw.sockets[2].inode = 300;   /* accept() gave the child a struct socket */
	hold(SERVER, 4, 300, "conn");
	snap(false);
	const struct lab_socket *conn = row_with(SERVER, "127.0.0.1:65432", "127.0.0.1:40000");
	cr_assert_eq(conn->fd, 4);
	cr_assert_str_eq(conn->name, "conn");
	cr_assert_eq(conn->note, NOTE_NONE);
	cr_assert(conn->changes & CHANGE_FD, "the fd it gained is marked");
}

Test(tie, time_wait_keeps_the_side_and_name_its_fd_had)
{
	kernel_tcp(TCP_ESTABLISHED, "127.0.0.1", 40000, "127.0.0.1", 65432, 200);
	hold(CLIENT, 3, 200, "c");
	snap(false);
	next_dump();
	fd_count = 0;   /* close(c) */
	kernel_tcp(TCP_TIME_WAIT, "127.0.0.1", 40000, "127.0.0.1", 65432, 0);
	snap(false);
	cr_assert_eq(now.count, 1);
	cr_assert_eq(row(0)->side, CLIENT);
	cr_assert_eq(row(0)->fd, -1);
	cr_assert_str_eq(row(0)->name, "c");
	cr_assert_eq(row(0)->note, NOTE_CLOSED);
	cr_assert(row(0)->changes & CHANGE_STATE);
}

Test(tie, an_orphan_in_fin_wait_2_is_closed_and_finishing)
{
	kernel_tcp(TCP_ESTABLISHED, "127.0.0.1", 65432, "127.0.0.1", 40000, 300);
	hold(SERVER, 4, 300, "conn");
	snap(false);
	next_dump();
	fd_count = 0;
	kernel_tcp(TCP_FIN_WAIT2, "127.0.0.1", 65432, "127.0.0.1", 40000, 300);
	snap(false);
	cr_assert_eq(row(0)->side, SERVER);
	cr_assert_str_eq(row(0)->name, "conn");
	cr_assert_eq(row(0)->note, NOTE_CLOSED);
}

Test(tie, a_socket_shared_after_fork_is_one_row_per_holder)
{
	kernel_tcp(TCP_ESTABLISHED, "127.0.0.1", 65432, "127.0.0.1", 40000, 300);
	hold(SERVER, 4, 300, "conn");
	hold(CLIENT2, 4, 300, "conn");   /* the forked child's copy of the fd */
	snap(false);
	cr_assert_eq(now.count, 2);
	cr_assert_eq(row(0)->side, SERVER);
	cr_assert_eq(row(1)->side, CLIENT2);
	cr_assert_eq(row(0)->inode, row(1)->inode);
	cr_assert_eq(row(1)->fd, 4);
}

Test(tie, the_holders_of_a_shared_socket_keep_their_own_names)
{
	kernel_tcp(TCP_LISTEN, "127.0.0.1", 65432, NULL, 0, 100);
	hold(SERVER, 3, 100, "ls");
	hold(CLIENT2, 7, 100, "inherited");
	snap(false);
	cr_assert_str_eq(row_with(SERVER, "127.0.0.1:65432", "*")->name, "ls");
	cr_assert_str_eq(row_with(CLIENT2, "127.0.0.1:65432", "*")->name, "inherited");
}

Test(tie, closing_one_holder_after_fork_leaves_the_other_row)
{
	kernel_tcp(TCP_ESTABLISHED, "127.0.0.1", 65432, "127.0.0.1", 40000, 300);
	hold(SERVER, 4, 300, "conn");
	hold(CLIENT2, 4, 300, "conn");
	snap(false);
	fd_count = 1;   /* the parent closed its copy: only the child holds the socket */
	fds[0] = (struct tie_fd){ .side = CLIENT2, .fd = 4, .inode = 300, .name = "conn",
				  .family = AF_INET, .type = SOCK_STREAM };
	snap(false);
	cr_assert_eq(now.count, 1);
	cr_assert_eq(row(0)->side, CLIENT2);
	cr_assert_eq(row(0)->state, TCP_ESTABLISHED);
}

Test(tie, a_reused_fd_number_is_a_new_socket)
{
	kernel_tcp(TCP_ESTABLISHED, "127.0.0.1", 40000, "127.0.0.1", 65432, 200);
	hold(CLIENT, 3, 200, "c");
	snap(false);
	next_dump();
	kernel_tcp(TCP_TIME_WAIT, "127.0.0.1", 40000, "127.0.0.1", 65432, 0);
	fds[0] = (struct tie_fd){ .side = CLIENT,
				  .fd = 3,
				  .inode = 201,
				  .name = "c2",
				  .family = AF_INET,
				  .type = SOCK_STREAM };
	snap(false);
	const struct lab_socket *fresh = NULL;
	for (size_t i = 0; i < now.count; i++)
		if (now.sockets[i]->inode == 201)
			fresh = now.sockets[i];
	cr_assert_not_null(fresh);
	cr_assert_str_eq(fresh->name, "c2");
	cr_assert_eq(fresh->note, NOTE_UNBOUND, "a fresh socket, never seen: no address yet");
	cr_assert(fresh->changes & CHANGE_NEW);
	cr_assert_str_eq(row_with(CLIENT, "127.0.0.1:40000", "127.0.0.1:65432")->name, "c");
}

/* A netlink socket (getaddrinfo's question to the kernel) is in no table
 * the lab reads: its row says so, with its addresses unknown, not none. */
Test(tie, a_socket_of_a_family_the_lab_does_not_read_says_so)
{
	hold(SERVER, 3, 100, "");
	fds[0].family = AF_NETLINK;
	fds[0].type = SOCK_RAW;
	snap(false);
	cr_assert_eq(now.count, 1);
	cr_assert_eq(row(0)->note, NOTE_UNREAD);
	cr_assert_str_eq(lab_address_shown(&row(0)->local).text, "?");
	cr_assert_str_eq(lab_address_shown(&row(0)->peer).text, "?");
	cr_assert_str_eq(lab_note_text(row(0)->note), "not TCP, UDP or Unix: not read");
}

Test(tie, a_fresh_socket_with_no_address_is_listed_from_its_fd)
{
	hold(SERVER, 3, 100, "ls");
	fds[0].family = AF_INET6;
	fds[0].type = SOCK_DGRAM;
	snap(false);
	cr_assert_eq(now.count, 1);
	cr_assert_eq(row(0)->note, NOTE_UNBOUND);
	cr_assert_eq(row(0)->state, 0);
	cr_assert_eq(row(0)->family, AF_INET6);
	cr_assert_eq(row(0)->type, SOCK_DGRAM);
	cr_assert_str_eq(lab_address_shown(&row(0)->local).text, "*");
}

Test(tie, an_fd_whose_socket_left_every_table_reads_dropped)
{
	kernel_tcp(TCP_SYN_SENT, "127.0.0.1", 40000, "127.0.0.1", 65433, 200);
	hold(CLIENT, 3, 200, "c");
	snap(false);
	next_dump();   /* the RST took it out of the tables; the fd is still open */
	snap(false);
	cr_assert_eq(now.count, 1);
	cr_assert_eq(row(0)->note, NOTE_DROPPED);
	cr_assert_eq(row(0)->fd, 3);
}

Test(tie, a_half_closed_fd_whose_connection_moved_on_is_the_kernels_copy)
{
	kernel_tcp(TCP_ESTABLISHED, "127.0.0.1", 40000, "127.0.0.1", 65432, 200);
	hold(CLIENT, 3, 200, "c");
	snap(false);
	next_dump();
	kernel_tcp(TCP_TIME_WAIT, "127.0.0.1", 40000, "127.0.0.1", 65432, 0);
	snap(false);
	cr_assert_eq(now.count, 1, "one row: the TIME-WAIT copy stands for the open fd");
	cr_assert_eq(row(0)->note, NOTE_KERNEL_COPY);
	cr_assert_eq(row(0)->fd, 3);
	cr_assert_eq(row(0)->inode, 200);
}

Test(tie, bound_only_tcp_reads_as_such)
{
	kernel_tcp(TCP_CLOSE, "127.0.0.1", 65432, NULL, 0, 100);
	hold(SERVER, 3, 100, "ls");
	snap(false);
	cr_assert_eq(row(0)->note, NOTE_BOUND_ONLY);
}

Test(tie, on_the_host_a_socket_the_lab_cannot_place_is_left_out)
{
	kernel_tcp(TCP_ESTABLISHED, "127.0.0.1", 22, "127.0.0.1", 50000, 999);
	kernel_tcp(TCP_LISTEN, "127.0.0.1", 65432, NULL, 0, 100);
	hold(SERVER, 3, 100, "ls");
	snap(true);
	cr_assert_eq(now.count, 1);
	cr_assert_str_eq(row(0)->name, "ls");
}

Test(tie, on_the_host_a_stranger_on_the_listeners_port_is_still_its_queue)
{
	/* The host path maps ports per lab, so a connection to the lab's
	 * listener's port is in the lab's accept queue. */
	echo_pair_connected();
	snap(true);
	cr_assert_eq(now.count, 3);
}

Test(tie, in_the_private_namespace_an_unplaceable_socket_is_shown_as_unknown)
{
	kernel_tcp(TCP_ESTABLISHED, "127.0.0.1", 22, "127.0.0.1", 50000, 999);
	snap(false);
	cr_assert_eq(now.count, 1);
	cr_assert_eq(row(0)->side, -1);
	cr_assert_eq(row(0)->note, NOTE_UNKNOWN);
}

Test(tie, an_unplaceable_unix_socket_is_never_shown)
{
	kernel_unix(TCP_ESTABLISHED, NULL, 555, 556);   /* the controller's own channel */
	snap(false);
	cr_assert_eq(now.count, 0);
}

Test(tie, unknown_sockets_sort_after_every_side)
{
	kernel_tcp(TCP_ESTABLISHED, "127.0.0.1", 22, "127.0.0.1", 50000, 999);
	kernel_tcp(TCP_LISTEN, "127.0.0.1", 65432, NULL, 0, 100);
	hold(CLIENT, 3, 100, "ls");
	snap(false);
	cr_assert_eq(row(0)->side, CLIENT);
	cr_assert_eq(row(1)->side, -1);
}

Test(tie, rows_sort_by_side_then_fd)
{
	kernel_tcp(TCP_LISTEN, "127.0.0.1", 65432, NULL, 0, 100);
	kernel_tcp(TCP_LISTEN, "127.0.0.1", 65433, NULL, 0, 101);
	kernel_tcp(TCP_ESTABLISHED, "127.0.0.1", 40000, "127.0.0.1", 65432, 200);
	hold(CLIENT, 3, 200, "c");
	hold(SERVER, 5, 101, "b");
	hold(SERVER, 3, 100, "a");
	snap(false);
	cr_assert_str_eq(row(0)->name, "a");
	cr_assert_str_eq(row(1)->name, "b");
	cr_assert_str_eq(row(2)->name, "c");
}

Test(tie, a_unix_peer_reads_as_the_peers_path)
{
	kernel_unix(TCP_LISTEN, "./echo.sock", 100, 0);
	kernel_unix(TCP_ESTABLISHED, NULL, 200, 201);
	kernel_unix(TCP_ESTABLISHED, "./echo.sock", 201, 200);
	hold(SERVER, 3, 100, "ls");
	hold(CLIENT, 3, 200, "c");
	snap(false);
	const struct lab_socket *client = NULL;
	for (size_t i = 0; i < now.count; i++)
		if (now.sockets[i]->side == CLIENT)
			client = now.sockets[i];
	cr_assert_not_null(client);
	cr_assert_str_eq(lab_address_shown(&client->local).text, "*");
	cr_assert_str_eq(lab_address_shown(&client->peer).text, "./echo.sock");
}

Test(tie, a_unix_connection_in_the_queue_belongs_to_the_listener_by_path)
{
	kernel_unix(TCP_LISTEN, "./echo.sock", 100, 0);
	kernel_unix(TCP_ESTABLISHED, NULL, 200, 201);
	kernel_unix(TCP_ESTABLISHED, "./echo.sock", 201, 200);
	hold(SERVER, 3, 100, "ls");
	hold(CLIENT, 3, 200, "c");
	snap(false);
	const struct lab_socket *queued = NULL;
	for (size_t i = 0; i < now.count; i++)
		if (now.sockets[i]->inode == 201)
			queued = now.sockets[i];
	cr_assert_not_null(queued);
	cr_assert_eq(queued->side, SERVER);
	cr_assert_eq(queued->note, NOTE_ACCEPT_QUEUE);
	cr_assert_str_eq(lab_address_shown(&queued->peer).text, "(unnamed)");
}

Test(tie, an_unnamed_unix_peer_reads_unnamed)
{
	kernel_unix(TCP_ESTABLISHED, NULL, 200, 201);
	kernel_unix(TCP_ESTABLISHED, NULL, 201, 200);
	hold(SERVER, 3, 200, "a");
	hold(SERVER, 4, 201, "b");
	snap(false);
	cr_assert_str_eq(lab_address_shown(&row(0)->peer).text, "(unnamed)");
	cr_assert_str_eq(lab_address_shown(&row(1)->peer).text, "(unnamed)");
}

Test(tie, a_listener_of_another_family_does_not_claim_a_connection)
{
	kernel_tcp(TCP_LISTEN, "::1", 65432, NULL, 0, 100);
	kernel_tcp(TCP_ESTABLISHED, "127.0.0.1", 65432, "127.0.0.1", 40000, 0);
	hold(SERVER, 3, 100, "ls6");
	fds[0].family = AF_INET6;
	snap(false);
	const struct lab_socket *stranger = row_with(-1, "127.0.0.1:65432", "127.0.0.1:40000");
	cr_assert_eq(stranger->note, NOTE_UNKNOWN);
}

Test(tie, the_first_snapshot_marks_every_socket_new)
{
	echo_pair_connected();
	snap(false);
	for (size_t i = 0; i < now.count; i++)
		cr_assert(now.sockets[i]->changes & CHANGE_NEW, "row %zu", i);
}

Test(tie, an_unchanged_socket_has_no_mark)
{
	echo_pair_connected();
	snap(false);
	snap(false);
	for (size_t i = 0; i < now.count; i++)
		cr_assert_eq(now.sockets[i]->changes, 0, "row %zu", i);
}

Test(tie, a_socket_unchanged_since_the_baseline_keeps_its_row)
{
	echo_pair_connected();
	snap(false);
	snap(false);   /* every mark cleared: the rows differ from the first snapshot's */
	snap(false);
	cr_assert_eq(now.count, before.count);
	for (size_t i = 0; i < now.count; i++)
		cr_assert_eq(now.sockets[i], before.sockets[i], "row %zu is shared, not copied", i);
}

Test(tie, a_changed_socket_gets_a_row_of_its_own_and_the_others_stay_shared)
{
	echo_pair_connected();
	snap(false);
	snap(false);
	raw.sockets[0].recv_queue = 1;   /* the accept queue */
	snap(false);
	cr_assert_eq(row(0)->changes, CHANGE_QUEUE);
	cr_assert_neq(now.sockets[0], before.sockets[0]);
	cr_assert_eq(before.sockets[0]->recv_queue, 0, "the baseline's row is as it was");
	for (size_t i = 1; i < now.count; i++)
		cr_assert_eq(now.sockets[i], before.sockets[i], "row %zu", i);
	/* Its mark goes the next time: the row changes again, then stays. */
	snap(false);
	cr_assert_eq(row(0)->changes, 0);
	cr_assert_neq(now.sockets[0], before.sockets[0]);
	snap(false);
	cr_assert_eq(now.sockets[0], before.sockets[0]);
}

Test(tie, a_shared_row_is_remembered_again_after_the_memory_is_emptied)
{
	kernel_tcp(TCP_ESTABLISHED, "127.0.0.1", 40000, "127.0.0.1", 65432, 200);
	hold(CLIENT, 3, 200, "c");
	snap(false);
	snap(false);
	tie_forget(tie);
	snap(false);   /* the same row as the baseline's, shared: still remembered anew */
	snap(false);
	next_dump();
	fd_count = 0;   /* close(c) */
	kernel_tcp(TCP_TIME_WAIT, "127.0.0.1", 40000, "127.0.0.1", 65432, 0);
	snap(false);
	cr_assert_eq(row(0)->side, CLIENT);
	cr_assert_str_eq(row(0)->name, "c");
	cr_assert_eq(row(0)->note, NOTE_CLOSED);
}

Test(tie, a_queue_that_grew_is_marked)
{
	echo_pair_connected();
	snap(false);
	raw.sockets[0].recv_queue = 1;   /* the accept queue */
	snap(false);
	cr_assert_eq(row_with(SERVER, "127.0.0.1:65432", "*")->changes, CHANGE_QUEUE);
}

Test(tie, a_state_change_is_marked)
{
	kernel_tcp(TCP_SYN_SENT, "127.0.0.1", 40000, "127.0.0.1", 65432, 200);
	hold(CLIENT, 3, 200, "c");
	snap(false);
	raw.sockets[0].state = TCP_ESTABLISHED;
	snap(false);
	cr_assert_eq(row(0)->changes, CHANGE_STATE);
}

Test(tie, the_kernel_facts_pass_through_unchanged)
{
	struct probe_socket *s =
		kernel_tcp(TCP_ESTABLISHED, "127.0.0.1", 40000, "127.0.0.1", 65432, 200);
	s->recv_queue = 12;
	s->send_queue = 7;
	s->timer = 1;
	s->timer_ms = 200;
	s->retransmits = 2;
	s->uid = 1000;
	s->cookie = 0x1234;
	hold(CLIENT, 3, 200, "c");
	snap(false);
	cr_assert_eq(row(0)->recv_queue, 12);
	cr_assert_eq(row(0)->send_queue, 7);
	cr_assert_eq(row(0)->timer, 1);
	cr_assert_eq(row(0)->timer_ms, 200);
	cr_assert_eq(row(0)->retransmits, 2);
	cr_assert_eq(row(0)->uid, 1000);
	cr_assert_eq(row(0)->cookie, 0x1234);
}

Test(tie, ipv6_addresses_read_in_brackets)
{
	kernel_tcp(TCP_LISTEN, "::1", 65432, NULL, 0, 100);
	hold(SERVER, 3, 100, "ls");
	snap(false);
	cr_assert_str_eq(lab_address_shown(&row(0)->local).text, "[::1]:65432");
}

Test(tie, the_memory_asks_for_the_kinds_it_saw)
{
	cr_assert_eq(tie_remembered_kinds(tie), 0);
	kernel_tcp(TCP_ESTABLISHED, "::1", 40000, "::1", 65432, 200);
	hold(CLIENT, 3, 200, "c");
	snap(false);
	cr_assert_eq(tie_remembered_kinds(tie), PROBE_TCP6);
}

Test(tie, the_memory_names_the_side_of_a_closed_sockets_address)
{
	kernel_tcp(TCP_ESTABLISHED, "127.0.0.1", 40000, "127.0.0.1", 65432, 200);
	hold(CLIENT, 3, 200, "c");
	snap(false);
	cr_assert_eq(tie_remembered_side(tie, AF_INET, address_of("127.0.0.1:40000")), CLIENT);
	cr_assert_eq(tie_remembered_side(tie, AF_INET, address_of("127.0.0.1:1")), -1);
	cr_assert_eq(tie_remembered_side(tie, AF_INET6, address_of("127.0.0.1:40000")), -1);
}

Test(tie, forgetting_empties_the_memory)
{
	kernel_tcp(TCP_ESTABLISHED, "127.0.0.1", 40000, "127.0.0.1", 65432, 200);
	hold(CLIENT, 3, 200, "c");
	snap(false);
	tie_forget(tie);
	cr_assert_eq(tie_remembered_kinds(tie), 0);
	cr_assert_eq(tie_remembered_side(tie, AF_INET, address_of("127.0.0.1:40000")), -1);
}

Test(tie, the_memory_grows_past_a_thousand_connections)
{
	for (uint16_t i = 0; i < 3000; i++) {
		kernel_tcp(TCP_ESTABLISHED, "127.0.0.1", (uint16_t)(10000 + i), "127.0.0.1", 65432,
			   1000u + i);
		hold(CLIENT, 3, 1000u + i, "c");
		snap(false);
		next_dump();
		fd_count = 0;
	}
	/* The first connection, now in TIME-WAIT, is still the client's. */
	kernel_tcp(TCP_TIME_WAIT, "127.0.0.1", 10000, "127.0.0.1", 65432, 0);
	snap(false);
	cr_assert_eq(row(0)->side, CLIENT);
	cr_assert_str_eq(row(0)->name, "c");
}

static void hold_in(int side, int process, int fd, uint32_t inode, const char *name)
{
	cr_assert_lt(fd_count, sizeof fds / sizeof fds[0]);
	fds[fd_count++] = (struct tie_fd){ .side = side,
					   .process = process,
					   .fd = fd,
					   .inode = inode,
					   .name = name,
					   .family = AF_INET,
					   .type = SOCK_STREAM };
}

Test(tie, two_processes_of_one_side_holding_a_socket_are_two_holders)
{
	kernel_tcp(TCP_ESTABLISHED, "127.0.0.1", 65432, "127.0.0.1", 40000, 300);
	hold_in(SERVER, 100, 4, 300, "main");
	hold_in(SERVER, 101, 4, 300, "child1");
	snap(false);
	cr_assert_eq(now.count, 2);
	cr_assert_eq(row(0)->process, 100);
	cr_assert_eq(row(1)->process, 101);
	cr_assert_eq(row(0)->holders, 2);
	cr_assert_eq(row(1)->holders, 2);
	cr_assert_eq(row(0)->note, NOTE_NONE);
}

Test(tie, the_parents_close_leaves_the_childs_live_socket_with_its_fd)
{
	kernel_tcp(TCP_ESTABLISHED, "127.0.0.1", 65432, "127.0.0.1", 40000, 300);
	kernel_tcp(TCP_LISTEN, "127.0.0.1", 65432, NULL, 0, 100);
	hold_in(SERVER, 100, 3, 100, "main");
	hold_in(SERVER, 101, 4, 300, "child1");   /* the parent closed its 4 */
	snap(false);
	const struct lab_socket *conn = row_with(SERVER, "127.0.0.1:65432", "127.0.0.1:40000");
	cr_assert_eq(conn->fd, 4);
	cr_assert_eq(conn->process, 101);
	cr_assert_eq(conn->holders, 1);
	cr_assert_neq(conn->note, NOTE_ACCEPT_QUEUE, "a held socket is not queued");
}

Test(tie, the_same_fd_number_in_two_processes_is_two_sockets)
{
	kernel_tcp(TCP_ESTABLISHED, "127.0.0.1", 40000, "127.0.0.1", 65432, 300);
	kernel_tcp(TCP_ESTABLISHED, "127.0.0.1", 40001, "127.0.0.1", 65432, 301);
	hold_in(CLIENT, 200, 3, 300, "child1");
	hold_in(CLIENT, 201, 3, 301, "child2");
	snap(false);
	cr_assert_eq(now.count, 2);
	cr_assert_eq(row_with(CLIENT, "127.0.0.1:40000", "127.0.0.1:65432")->process, 200);
	cr_assert_eq(row_with(CLIENT, "127.0.0.1:40001", "127.0.0.1:65432")->process, 201);
	cr_assert_eq(row(0)->holders, 1);
}

Test(tie, rows_of_one_side_sort_by_process_before_fd)
{
	kernel_tcp(TCP_LISTEN, "127.0.0.1", 65432, NULL, 0, 100);
	hold_in(SERVER, 101, 3, 100, "child1");
	hold_in(SERVER, 100, 3, 100, "main");
	snap(false);
	cr_assert_eq(row(0)->process, 100);
	cr_assert_eq(row(1)->process, 101);
}
