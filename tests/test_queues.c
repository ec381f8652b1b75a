/* Tests of lab/queues.c: what recv-q and send-q count for each kind of
 * socket, and what a row says of them. */
#include <criterion/criterion.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "queues.h"

static struct lab_socket socket_of(int family, int type, int state, uint32_t recv_q,
				   uint32_t send_q)
{
	return (struct lab_socket){ .family = family, .type = type, .state = state,
				    .recv_queue = recv_q, .send_queue = send_q };
}

Test(queues, tcps_queues_are_bytes_of_data_and_need_no_note)
{
	struct lab_socket tcp = socket_of(AF_INET, SOCK_STREAM, TCP_ESTABLISHED, 5, 7);
	struct queue_meaning meaning = queues_meaning(&tcp);
	cr_expect_str_eq(meaning.recv_name, "recv-q");
	cr_expect_str_eq(meaning.recv_q, "bytes (received, not yet read by recv())");
	cr_expect_str_eq(meaning.send_q, "bytes (sent, not yet acknowledged by the peer)");
	cr_expect_eq(meaning.recv_unit, QUEUE_BYTES);
	cr_expect_eq(meaning.send_unit, QUEUE_BYTES);
	cr_expect_null(queues_note(&tcp));
}

Test(queues, a_listeners_queues_are_its_accept_queue_and_backlog)
{
	struct lab_socket listener = socket_of(AF_INET, SOCK_STREAM, TCP_LISTEN, 1, 5);
	struct queue_meaning meaning = queues_meaning(&listener);
	cr_expect_str_eq(meaning.recv_name, "accept queue");
	cr_expect_str_eq(meaning.send_name, "backlog");
	cr_expect_eq(meaning.recv_unit, QUEUE_CONNECTIONS);
	cr_expect_str_eq(queues_note(&listener), "recv-q: accept queue, send-q: backlog");
	/* A Unix listener's are the same. */
	struct lab_socket unix_listener = socket_of(AF_UNIX, SOCK_STREAM, TCP_LISTEN, 0, 5);
	cr_expect_str_eq(queues_meaning(&unix_listener).send_name, "backlog");
}

Test(queues, tcp_counts_a_syn_or_fin_waiting_in_a_queue_as_1)
{
	struct lab_socket connecting = socket_of(AF_INET, SOCK_STREAM, TCP_SYN_SENT, 0, 1);
	cr_expect_str_eq(queues_note(&connecting), "send-q counts the SYN as 1");
	cr_expect(strstr(queues_meaning(&connecting).send_q, "SYN") != NULL);
	struct lab_socket closing = socket_of(AF_INET, SOCK_STREAM, TCP_FIN_WAIT1, 0, 13);
	cr_expect_str_eq(queues_note(&closing), "send-q counts our FIN as 1");
	struct lab_socket half = socket_of(AF_INET, SOCK_STREAM, TCP_CLOSE_WAIT, 6, 0);
	cr_expect_str_eq(queues_note(&half), "recv-q counts the peer's FIN as 1");
	cr_expect(strstr(queues_meaning(&half).recv_q, "FIN") != NULL);
	struct lab_socket both = socket_of(AF_INET6, SOCK_STREAM, TCP_CLOSING, 1, 1);
	cr_expect_str_eq(queues_note(&both), "recv-q and send-q each count a FIN as 1");
	/* Closed without reading the end: the peer's FIN stays counted. */
	struct lab_socket last = socket_of(AF_INET, SOCK_STREAM, TCP_LAST_ACK, 1, 1);
	cr_expect_str_eq(queues_note(&last), "recv-q and send-q each count a FIN as 1");
	/* Read to the end, or acknowledged: nothing counted, nothing said. */
	half.recv_queue = 0;
	cr_expect_null(queues_note(&half));
	struct lab_socket acknowledged = socket_of(AF_INET, SOCK_STREAM, TCP_FIN_WAIT2, 0, 0);
	cr_expect_null(queues_note(&acknowledged));
}

Test(queues, udps_queues_are_memory_and_say_so_once_not_empty)
{
	struct lab_socket udp = socket_of(AF_INET6, SOCK_DGRAM, TCP_CLOSE, 0, 0);
	struct queue_meaning meaning = queues_meaning(&udp);
	cr_expect(strstr(meaning.recv_q, "kernel memory") != NULL, "%s", meaning.recv_q);
	cr_expect(strstr(meaning.send_q, "kernel memory") != NULL, "%s", meaning.send_q);
	cr_expect_eq(meaning.recv_unit, QUEUE_MEMORY);
	cr_expect_null(queues_note(&udp), "nothing queued: nothing to explain");
	udp.recv_queue = 832;   /* a 3-byte datagram, as the kernel counts it */
	cr_expect_str_eq(queues_note(&udp), "queues: kernel memory, not bytes of data");
}

Test(queues, a_unix_streams_send_q_is_the_senders_charge)
{
	struct lab_socket unix_stream = socket_of(AF_UNIX, SOCK_STREAM, TCP_ESTABLISHED, 12, 0);
	struct queue_meaning meaning = queues_meaning(&unix_stream);
	cr_expect_str_eq(meaning.recv_q, "bytes (received, not yet read by recv())");
	cr_expect(strstr(meaning.send_q, "charged to this sender") != NULL, "%s", meaning.send_q);
	cr_expect_eq(meaning.send_unit, QUEUE_MEMORY);
	cr_expect_null(queues_note(&unix_stream), "recv-q is bytes: no note");
	unix_stream.send_queue = 768;
	cr_expect_str_eq(queues_note(&unix_stream), "send-q: memory charged until the peer reads");
	/* SOCK_SEQPACKET counts as a stream does. */
	struct lab_socket seqpacket = socket_of(AF_UNIX, SOCK_SEQPACKET, TCP_ESTABLISHED, 3, 0);
	cr_expect_str_eq(queues_meaning(&seqpacket).recv_q, meaning.recv_q);
}

Test(queues, a_unix_datagram_sockets_recv_q_is_its_first_datagrams_length)
{
	struct lab_socket unix_datagram = socket_of(AF_UNIX, SOCK_DGRAM, TCP_ESTABLISHED, 3, 0);
	struct queue_meaning meaning = queues_meaning(&unix_datagram);
	cr_expect(strstr(meaning.recv_q, "first datagram") != NULL, "%s", meaning.recv_q);
	cr_expect_eq(meaning.recv_unit, QUEUE_FIRST_DATAGRAM);
	cr_expect_not_null(queues_note(&unix_datagram));
}

Test(queues, plain_rows_of_the_udp_lesson_say_their_queues_are_memory, .timeout = 60)
{
	char command[1024];
	snprintf(command, sizeof command, "'%s' run --plain 09 2>&1", SOCKLAB_BINARY);
	FILE *pipe = popen(command, "r");
	cr_assert_not_null(pipe);
	char line[512];
	bool noted = false, unnoted = false;
	while (fgets(line, sizeof line, pipe)) {
		/* A row: "  * server  s=3 ..." or "    server  s=3 ...". */
		const char *state = strstr(line, " UNCONN ");
		if (!state || strncmp(line, "  ", 2) != 0 || (line[2] != '*' && line[2] != ' '))
			continue;
		unsigned recv_q = 0, send_q = 0;
		if (sscanf(state, " UNCONN %u %u", &recv_q, &send_q) != 2 || recv_q + send_q == 0)
			continue;
		if (strstr(line, "queues: kernel memory, not bytes of data"))
			noted = true;
		else
			unnoted = true;
	}
	cr_expect_eq(pclose(pipe), 0);
	cr_expect(noted, "a datagram waiting: its row says what recv-q counts");
	cr_expect_not(unnoted, "every row with memory queued says so");
}
