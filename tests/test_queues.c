/* Tests of lab/queues.c: what recv-q and send-q count for each kind of
 * socket, and when a --plain row says so. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "queues.h"

static struct lab_socket socket_of(int family, int type, uint32_t recv_q, uint32_t send_q)
{
	return (struct lab_socket){ .family = family, .type = type, .state = 1,
				    .recv_queue = recv_q, .send_queue = send_q };
}

Test(queues, tcps_queues_are_bytes_of_data_and_need_no_note)
{
	struct lab_socket tcp = socket_of(AF_INET, SOCK_STREAM, 5, 7);
	struct queue_meaning meaning = queues_meaning(&tcp);
	cr_expect_str_eq(meaning.recv_q, "bytes (received, not yet read by recv())");
	cr_expect_str_eq(meaning.send_q, "bytes (sent, not yet acknowledged by the peer)");
	cr_expect_not(queues_note_due(&tcp, &meaning));
}

Test(queues, udps_queues_are_memory_and_say_so_once_not_empty)
{
	struct lab_socket udp = socket_of(AF_INET6, SOCK_DGRAM, 0, 0);
	struct queue_meaning meaning = queues_meaning(&udp);
	cr_expect(strstr(meaning.recv_q, "kernel memory") != NULL, "%s", meaning.recv_q);
	cr_expect(strstr(meaning.send_q, "kernel memory") != NULL, "%s", meaning.send_q);
	cr_expect_not(queues_note_due(&udp, &meaning), "nothing queued: nothing to explain");
	udp.recv_queue = 832;   /* a 3-byte datagram, as the kernel counts it */
	cr_expect(queues_note_due(&udp, &meaning));
	cr_expect_str_eq(meaning.note, "queues: kernel memory, not bytes of data");
}

Test(queues, a_unix_streams_send_q_is_the_senders_charge)
{
	struct lab_socket unix_stream = socket_of(AF_UNIX, SOCK_STREAM, 12, 0);
	struct queue_meaning meaning = queues_meaning(&unix_stream);
	cr_expect_str_eq(meaning.recv_q, "bytes (received, not yet read by recv())");
	cr_expect(strstr(meaning.send_q, "charged to this sender") != NULL, "%s", meaning.send_q);
	cr_expect_not(queues_note_due(&unix_stream, &meaning), "recv-q is bytes: no note");
	unix_stream.send_queue = 768;
	cr_expect(queues_note_due(&unix_stream, &meaning));
	/* SOCK_SEQPACKET counts as a stream does. */
	struct lab_socket seqpacket = socket_of(AF_UNIX, SOCK_SEQPACKET, 3, 0);
	cr_expect_str_eq(queues_meaning(&seqpacket).recv_q, meaning.recv_q);
}

Test(queues, a_unix_datagram_sockets_recv_q_is_its_first_datagrams_length)
{
	struct lab_socket unix_datagram = socket_of(AF_UNIX, SOCK_DGRAM, 3, 0);
	struct queue_meaning meaning = queues_meaning(&unix_datagram);
	cr_expect(strstr(meaning.recv_q, "first datagram") != NULL, "%s", meaning.recv_q);
	cr_expect(queues_note_due(&unix_datagram, &meaning));
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
		const char *state = strstr(line, " UNCONN ");
		if (!state || (line[0] != ' ' || line[2] != '*'))
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
