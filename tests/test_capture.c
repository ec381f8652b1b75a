/* Tests of capture: live packets on lo in a private user + network
 * namespace, the pcap file, relative numbering, and a decoder that survives
 * any bytes (tests/fixtures/capture-session.cap, recorded by
 * tests/fixtures/capture-record.c: see there to re-record it).
 *
 * Criterion's test worker has a second thread, and unshare(CLONE_NEWUSER)
 * refuses a process with threads; so every live test runs its body in a
 * forked child, which enters the namespace, and reports through a pipe and
 * its exit status. Only the parent calls Criterion's assertions. Where the
 * system refuses user namespaces the live tests are skipped with the reason.
 *
 * No test sleeps: a test that waits for a late packet polls the capture's
 * fd under a deadline. What a drain costs is a figure of tests/bench.c.
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "capture.h"
#include "child.h"

#ifndef FIXTURE_DIR
#define FIXTURE_DIR "tests/fixtures"
#endif
#define SESSION_FIXTURE FIXTURE_DIR "/capture-session.cap"

#define SERVER_PORT 65432
#define CLOSED_PORT 65431
/* How long a live test waits for a late packet (a delayed ACK: ~40 ms). */
#define LATE_PACKET_DEADLINE_MS 2000

#define LENGTH(array) (sizeof (array) / sizeof (array)[0])

/* ---- sockets ------------------------------------------------------------- */

static socklen_t loopback_address(int family, int port, struct sockaddr_storage *address)
{
	memset(address, 0, sizeof *address);
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)address;
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof *in;
	}
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)address;
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(port);
	in6->sin6_addr = in6addr_loopback;
	return sizeof *in6;
}

static int bound_socket(const struct child *child, int family, int type, int port)
{
	struct sockaddr_storage address;
	socklen_t length = loopback_address(family, port, &address);
	int fd = socket(family, type | SOCK_CLOEXEC, 0);
	child_assert(child, fd != -1, "socket: %s", strerror(errno));
	child_assert(child, bind(fd, (struct sockaddr *)&address, length) == 0, "bind %d: %s", port,
		     strerror(errno));
	return fd;
}

static int connect_to(const struct child *child, int family, int port)
{
	struct sockaddr_storage address;
	socklen_t length = loopback_address(family, port, &address);
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	child_assert(child, fd != -1, "socket: %s", strerror(errno));
	child_assert(child, connect(fd, (struct sockaddr *)&address, length) == 0, "connect: %s",
		     strerror(errno));
	return fd;
}

static int listen_on(const struct child *child, int family, int port)
{
	int fd = bound_socket(child, family, SOCK_STREAM, port);
	child_assert(child, listen(fd, 5) == 0, "listen: %s", strerror(errno));
	return fd;
}

/* ---- the live capture, in the child ----------------------------------- */

struct live {
	const struct child *child;
	struct capture *capture;
	struct capture_batch batch;
};

static void live_open(struct live *live, const struct child *child)
{
	char *err = NULL;
	live->child = child;
	capture_batch_init(&live->batch);
	child_assert(child, capture_open(&live->capture, &err) == 0, "capture_open: %s", err);
}

static void live_close(struct live *live)
{
	capture_free(live->capture);
	capture_batch_done(&live->batch);
}

static void live_drain(struct live *live, const char *step)
{
	char *err = NULL;
	child_assert(live->child, capture_drain(live->capture, &live->batch, &err) == 0, "%s: %s",
		     step, err);
	child_assert(live->child, live->batch.settled, "%s: not settled after %u us", step,
		     live->batch.waited_us);
	child_assert(live->child, live->batch.malformed == 0, "%s: %llu malformed frames", step,
		     (unsigned long long)live->batch.malformed);
}

/* Which end sent a packet, in a scene whose server has a known port. */
enum side { CLIENT, SERVER };

struct expected_packet {
	enum side from;
	const char *flags;      /* "" for UDP */
	uint32_t seq;
	uint32_t ack;
	uint32_t length;        /* payload bytes */
	const char *payload;    /* escaped */
};

static int port_of(const struct sockaddr_storage *address)
{
	if (address->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)address)->sin6_port);
	return ntohs(((const struct sockaddr_in *)address)->sin_port);
}

static void check_packet(const struct child *child, const char *step, size_t index,
			 const struct lab_packet *packet, const struct expected_packet *expected,
			 int server_port)
{
	enum side from = port_of(&packet->source) == server_port ? SERVER : CLIENT;
	child_assert(child,
		     from == expected->from && strcmp(packet->flags, expected->flags) == 0
			     && packet->seq == expected->seq && packet->ack == expected->ack
			     && packet->payload_length == expected->length
			     && strcmp(packet->payload, expected->payload) == 0,
		     "%s, packet %zu: got %s %s > %s seq=%u ack=%u len=%u \"%s\", expected %s %s "
		     "seq=%u ack=%u len=%u \"%s\"",
		     step, index, packet->flags, lab_address_shown(&packet->source_address).text,
		     lab_address_shown(&packet->destination_address).text, packet->seq, packet->ack,
		     packet->payload_length, packet->payload,
		     expected->from == SERVER ? "from the server" : "from the client",
		     expected->flags, expected->seq, expected->ack, expected->length,
		     expected->payload);
}

static void check_batch(struct live *live, const char *step, const struct expected_packet *expected,
			size_t count, int server_port)
{
	child_assert(live->child, live->batch.count == count,
		     "%s: %zu packets, expected %zu (first: %s)", step, live->batch.count, count,
		     live->batch.count ? live->batch.packets[0].flags : "none");
	for (size_t i = 0; i < count; i++)
		check_packet(live->child, step, i, &live->batch.packets[i], &expected[i],
			     server_port);
}

/* Drains after a call and checks what crossed during it. */
#define expect_step(live, step, server_port, ...)                                       \
	do {                                                                             \
		const struct expected_packet expected_[] = { __VA_ARGS__ };              \
		live_drain((live), (step));                                              \
		check_batch((live), (step), expected_, LENGTH(expected_), (server_port)); \
	} while (0)

static void expect_quiet(struct live *live, const char *step)
{
	live_drain(live, step);
	child_assert(live->child, live->batch.count == 0,
		     "%s: %zu packets (first: %s), expected none", step, live->batch.count,
		     live->batch.count ? live->batch.packets[0].flags : "");
}

/* Waits on the capture's fd for a packet a timer sends, then drains. */
static void live_wait_and_drain(struct live *live, const char *step)
{
	struct pollfd ready = { .fd = capture_selectable_fd(live->capture), .events = POLLIN };
	int result = poll(&ready, 1, LATE_PACKET_DEADLINE_MS);
	child_assert(live->child, result == 1, "%s: nothing came within %d ms", step,
		     LATE_PACKET_DEADLINE_MS);
	live_drain(live, step);
}

/* ---- live tests ---------------------------------------------------------- */

static void tcp_conversation(const struct child *child)
{
	struct live live;
	char buffer[16];
	child_enter_namespace(child);
	live_open(&live, child);

	int listener = listen_on(child, AF_INET, SERVER_PORT);
	expect_quiet(&live, "listen");
	int client = connect_to(child, AF_INET, SERVER_PORT);
	expect_step(&live, "connect", SERVER_PORT,
		    { CLIENT, "SYN", 0, 0, 0, "" },
		    { SERVER, "SYN-ACK", 0, 1, 0, "" },
		    { CLIENT, "ACK", 1, 1, 0, "" });
	struct lab_address_shown destination =
		lab_address_shown(&live.batch.packets[0].destination_address);
	child_assert(child, strcmp(destination.text, "127.0.0.1:65432") == 0, "%s",
		     destination.text);
	child_assert(child,
		     live.batch.packets[0].family == AF_INET
			     && live.batch.packets[0].protocol == IPPROTO_TCP
			     && live.batch.packets[0].mss > 0,
		     "mss %u", live.batch.packets[0].mss);
	int server = accept(listener, NULL, NULL);
	child_assert(child, server != -1, "accept: %s", strerror(errno));
	expect_quiet(&live, "accept");

	child_assert(child, send(client, "Hello", 5, 0) == 5, "send: %s", strerror(errno));
	/* The receiver is in quick-ACK mode at the start of a connection:
	 * its ACK crosses during the send. */
	expect_step(&live, "send", SERVER_PORT,
		    { CLIENT, "PSH-ACK", 1, 1, 5, "Hello" },
		    { SERVER, "ACK", 1, 6, 0, "" });
	child_assert(child, recv(server, buffer, sizeof buffer, 0) == 5, "recv: %s",
		     strerror(errno));
	expect_quiet(&live, "recv");

	child_assert(child, close(client) == 0, "close: %s", strerror(errno));
	live_drain(&live, "client close");
	child_assert(child, live.batch.count >= 1, "client close: no packet");
	struct lab_packet fin = live.batch.packets[0];
	check_packet(child, "client close", 0, &fin,
		     &(struct expected_packet){ CLIENT, "FIN-ACK", 6, 1, 0, "" }, SERVER_PORT);
	/* A FIN puts the receiver in ping-pong mode: it delays its ACK (by
	 * at least 20 ms) in the hope of sending it with data. */
	if (live.batch.count == 1)
		live_wait_and_drain(&live, "delayed ACK");
	const struct lab_packet *late = &live.batch.packets[live.batch.count - 1];
	check_packet(child, "delayed ACK", 0, late,
		     &(struct expected_packet){ SERVER, "ACK", 1, 7, 0, "" }, SERVER_PORT);
	child_assert(child, late->time_us - fin.time_us >= 5000,
		     "the ACK came %lld us after the FIN",
		     (long long)(late->time_us - fin.time_us));
	int64_t delay_us = late->time_us - fin.time_us;

	child_assert(child, close(server) == 0, "close: %s", strerror(errno));
	expect_step(&live, "server close", SERVER_PORT,
		    { SERVER, "FIN-ACK", 1, 7, 0, "" },
		    { CLIENT, "ACK", 7, 2, 0, "" });
	close(listener);
	expect_quiet(&live, "listener close");
	live_close(&live);
	child_finish(child, CHILD_PASSED, "the delayed ACK came %lld us after the FIN",
		     (long long)delay_us);
}

Test(capture, steps_a_tcp_conversation_packet_by_packet)
{
	run_in_child(tcp_conversation, NULL);
}

static void refused_connect(const struct child *child)
{
	struct live live;
	struct sockaddr_storage address;
	child_enter_namespace(child);
	live_open(&live, child);
	socklen_t length = loopback_address(AF_INET, CLOSED_PORT, &address);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	child_assert(child,
		     connect(fd, (struct sockaddr *)&address, length) == -1
			     && errno == ECONNREFUSED,
		     "connect to a closed port: %s", strerror(errno));
	/* The RST's end was never seen with a SYN: Wireshark counts it from 1. */
	expect_step(&live, "refused connect", CLOSED_PORT,
		    { CLIENT, "SYN", 0, 0, 0, "" },
		    { SERVER, "RST-ACK", 1, 1, 0, "" });
	close(fd);
	live_close(&live);
}

Test(capture, a_refused_connect_shows_syn_then_rst_ack)
{
	run_in_child(refused_connect, NULL);
}

static void ipv6_handshake(const struct child *child)
{
	struct live live;
	child_enter_namespace(child);
	live_open(&live, child);
	int listener = listen_on(child, AF_INET6, SERVER_PORT);
	int client = connect_to(child, AF_INET6, SERVER_PORT);
	expect_step(&live, "connect over IPv6", SERVER_PORT,
		    { CLIENT, "SYN", 0, 0, 0, "" },
		    { SERVER, "SYN-ACK", 0, 1, 0, "" },
		    { CLIENT, "ACK", 1, 1, 0, "" });
	const struct lab_packet *syn_ack = &live.batch.packets[1];
	child_assert(
		child,
		syn_ack->family == AF_INET6
			&& strcmp(lab_address_shown(&syn_ack->source_address).text, "[::1]:65432")
				== 0,
		"%s", lab_address_shown(&syn_ack->source_address).text);
	child_assert(child, syn_ack->window_scale >= 0 && live.batch.packets[2].window_bytes ==
		     (uint32_t)live.batch.packets[2].window << live.batch.packets[0].window_scale,
		     "window %u bytes %u scale %d", live.batch.packets[2].window,
		     live.batch.packets[2].window_bytes, live.batch.packets[0].window_scale);
	close(client);
	close(listener);
	live_close(&live);
}

Test(capture, steps_an_ipv6_handshake)
{
	run_in_child(ipv6_handshake, NULL);
}

static void udp_datagrams(const struct child *child)
{
	struct live live;
	struct sockaddr_storage address;
	child_enter_namespace(child);
	live_open(&live, child);

	static const struct {
		int family;
		const char *bytes;
		size_t length;
		const char *escaped;
		const char *source;
		const char *destination;
	} datagrams[] = {
		{ AF_INET, "ping", 4, "ping", "127.0.0.1:65433", "127.0.0.1:65434" },
		{ AF_INET6, "a\0\"\n", 4, "a\\x00\\\"\\n", "[::1]:65433", "[::1]:65434" },
	};
	for (size_t i = 0; i < LENGTH(datagrams); i++) {
		int from = bound_socket(child, datagrams[i].family, SOCK_DGRAM, 65433);
		int to = bound_socket(child, datagrams[i].family, SOCK_DGRAM, 65434);
		socklen_t length = loopback_address(datagrams[i].family, 65434, &address);
		child_assert(child,
			     sendto(from, datagrams[i].bytes, datagrams[i].length, 0,
				    (struct sockaddr *)&address,
				    length) == (ssize_t)datagrams[i].length,
			     "sendto: %s", strerror(errno));
		live_drain(&live, "sendto");
		child_assert(child, live.batch.count == 1, "%zu packets", live.batch.count);
		const struct lab_packet *packet = &live.batch.packets[0];
		child_assert(child,
			     packet->protocol == IPPROTO_UDP
				     && packet->family == datagrams[i].family
				     && packet->payload_length == datagrams[i].length
				     && strcmp(packet->payload, datagrams[i].escaped) == 0
				     && strcmp(lab_address_shown(&packet->source_address).text,
					       datagrams[i].source)
					     == 0
				     && strcmp(lab_address_shown(&packet->destination_address).text,
					       datagrams[i].destination)
					     == 0
				     && strcmp(packet->flags, "") == 0,
			     "got %s > %s len=%u \"%s\" flags \"%s\"",
			     lab_address_shown(&packet->source_address).text,
			     lab_address_shown(&packet->destination_address).text,
			     packet->payload_length, packet->payload, packet->flags);
		close(from);
		close(to);
	}

	/* To a closed port: the kernel answers with ICMP, counted, not returned. */
	int lonely = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	socklen_t length = loopback_address(AF_INET, 65435, &address);
	child_assert(child, sendto(lonely, "x", 1, 0, (struct sockaddr *)&address, length) == 1,
		     "sendto: %s", strerror(errno));
	live_drain(&live, "sendto a closed port");
	child_assert(child, live.batch.count == 1 && live.batch.other == 1,
		     "%zu packets, %llu other", live.batch.count,
		     (unsigned long long)live.batch.other);
	close(lonely);
	live_close(&live);
}

Test(capture, decodes_udp_datagrams_over_ipv4_and_ipv6)
{
	run_in_child(udp_datagrams, NULL);
}

static void filtered(const struct child *child)
{
	struct live live;
	char *err = NULL;
	child_enter_namespace(child);
	live_open(&live, child);
	child_assert(child, capture_set_filter(live.capture, "udp port 65434", &err) == 0, "%s",
		     err);
	int listener = listen_on(child, AF_INET, SERVER_PORT);
	int client = connect_to(child, AF_INET, SERVER_PORT);
	live_drain(&live, "connect");
	child_assert(child, live.batch.count == 0 && live.batch.other == 3,
		     "%zu packets, %llu other", live.batch.count,
		     (unsigned long long)live.batch.other);
	int from = bound_socket(child, AF_INET, SOCK_DGRAM, 65433);
	struct sockaddr_storage address;
	socklen_t length = loopback_address(AF_INET, 65434, &address);
	int to = bound_socket(child, AF_INET, SOCK_DGRAM, 65434);
	child_assert(child, sendto(from, "k", 1, 0, (struct sockaddr *)&address, length) == 1, "%s",
		     strerror(errno));
	live_drain(&live, "sendto");
	child_assert(child, live.batch.count == 1 && live.batch.packets[0].protocol == IPPROTO_UDP,
		     "%zu packets", live.batch.count);

	child_assert(child,
		     capture_set_filter(live.capture, "udp port", &err) == -1 && err != NULL
			     && strstr(err, "\"udp port\"") != NULL,
		     "%s", err ? err : "(accepted)");
	free(err);
	child_assert(child, capture_set_filter(live.capture, NULL, &err) == 0, "%s", err);
	close(client);
	live_drain(&live, "close without a filter");
	child_assert(child,
		     live.batch.count >= 1 && strcmp(live.batch.packets[0].flags, "FIN-ACK") == 0,
		     "%zu packets", live.batch.count);
	close(from);
	close(to);
	close(listener);
	live_close(&live);
}

Test(capture, a_filter_keeps_only_what_it_names)
{
	run_in_child(filtered, NULL);
}

static void empty_drains(const struct child *child)
{
	struct live live;
	child_enter_namespace(child);
	live_open(&live, child);
	for (int i = 0; i < 100; i++) {
		live_drain(&live, "nothing happened");
		child_assert(child,
			     live.batch.count == 0 && live.batch.waited_us == 0
				     && live.batch.other == 0,
			     "%zu packets, waited %u us", live.batch.count, live.batch.waited_us);
	}
	live_close(&live);
}

Test(capture, an_empty_drain_returns_nothing_at_once)
{
	run_in_child(empty_drains, NULL);
}

/* ---- the pcap file ------------------------------------------------------- */

/* Plays a conversation, writing every drained packet to the file named by
 * the argument; reports how many packets were drained. */
static void write_pcap(const struct child *child)
{
	const char *path = child->argument;
	struct live live;
	struct capture_file *file = NULL;
	char *err = NULL;
	char buffer[16];
	size_t drained = 0;
	child_enter_namespace(child);
	live_open(&live, child);
	child_assert(child, capture_file_open(&file, path, &err) == 0, "%s", err);
	child_assert(child, capture_set_file(live.capture, file, &err) == 0, "%s", err);

	int listener = listen_on(child, AF_INET, SERVER_PORT);
	int client = connect_to(child, AF_INET, SERVER_PORT);
	live_drain(&live, "connect");
	drained += live.batch.count;
	int server = accept(listener, NULL, NULL);
	child_assert(child, send(client, "Hello", 5, 0) == 5, "send: %s", strerror(errno));
	live_drain(&live, "send");
	drained += live.batch.count;
	child_assert(child, recv(server, buffer, sizeof buffer, 0) == 5, "recv: %s",
		     strerror(errno));
	close(server);
	live_drain(&live, "server close");
	drained += live.batch.count;
	close(client);
	live_drain(&live, "client close");
	drained += live.batch.count;
	close(listener);
	int from = bound_socket(child, AF_INET6, SOCK_DGRAM, 65433);
	struct sockaddr_storage address;
	socklen_t length = loopback_address(AF_INET6, 65433, &address);
	child_assert(child, sendto(from, "me", 2, 0, (struct sockaddr *)&address, length) == 2,
		     "%s", strerror(errno));
	live_drain(&live, "sendto");
	drained += live.batch.count;
	live_close(&live);
	child_assert(child, capture_file_close(file, &err) == 0, "%s", err);
	child_finish(child, CHILD_PASSED, "%zu", drained);
}

/* Writes the file in a child; returns the number of packets drained. */
static size_t make_pcap(const char *path)
{
	char message[CHILD_MESSAGE_SIZE];
	enum child_verdict verdict = child_run(write_pcap, path, message, sizeof message);
	if (verdict == CHILD_SKIPPED)
		cr_skip_test("%s", message);
	cr_assert_eq(verdict, CHILD_PASSED, "in the child: %s", message);
	return strtoul(message, NULL, 10);
}

static void temporary_path(char *path, size_t size, const char *name)
{
	snprintf(path, size, "%s/socklab-capture-%d-%s.pcap",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid(), name);
}

Test(capture, written_pcap_reads_back_with_libpcap)
{
	char path[256];
	char errbuf[PCAP_ERRBUF_SIZE];
	temporary_path(path, sizeof path, "libpcap");
	size_t drained = make_pcap(path);
	cr_assert_geq(drained, 9, "only %zu packets drained", drained);

	pcap_t *file = pcap_open_offline(path, errbuf);
	cr_assert_not_null(file, "pcap_open_offline: %s", errbuf);
	cr_assert_eq(pcap_datalink(file), DLT_EN10MB);
	cr_assert_eq(pcap_snapshot(file), CAPTURE_SNAPLEN);
	struct capture_flows *flows = capture_flows_new();
	cr_assert_not_null(flows);
	struct pcap_pkthdr *header;
	const u_char *bytes;
	size_t frames = 0;
	struct lab_packet packet;
	while (pcap_next_ex(file, &header, &bytes) == 1) {
		cr_assert_eq(capture_decode(bytes, header->caplen, DLT_EN10MB, flows, &packet),
			     CAPTURE_DECODED);
		if (frames == 0)
			cr_assert_str_eq(packet.flags, "SYN");
		frames++;
	}
	cr_assert_str_eq(packet.flags, "", "the last packet is the UDP datagram");
	cr_assert_eq(frames, drained, "%zu frames in the file, %zu drained", frames, drained);
	pcap_close(file);
	capture_flows_free(flows);
	unlink(path);
}

/* Looks for a program where a root or an ordinary user would have it. */
static bool find_program(const char *name, char *path, size_t size)
{
	const char *search = getenv("PATH");
	char directories[1024];
	snprintf(directories, sizeof directories, "%s:/usr/sbin:/sbin:/usr/bin",
		 search ? search : "");
	for (char *saved, *directory = strtok_r(directories, ":", &saved); directory;
	     directory = strtok_r(NULL, ":", &saved)) {
		snprintf(path, size, "%s/%s", directory, name);
		if (access(path, X_OK) == 0)
			return true;
	}
	return false;
}

Test(capture, tcpdump_reads_the_written_pcap)
{
	char tcpdump[512];
	if (!find_program("tcpdump", tcpdump, sizeof tcpdump))
		cr_skip_test("tcpdump is not installed (apt-get install tcpdump)");
	char path[256];
	temporary_path(path, sizeof path, "tcpdump");
	size_t drained = make_pcap(path);

	char command[1024];
	snprintf(command, sizeof command, "'%s' -nn -r '%s' 2>/dev/null", tcpdump, path);
	FILE *output = popen(command, "r");
	cr_assert_not_null(output, "popen: %s", strerror(errno));
	char line[512];
	size_t lines = 0;
	bool saw_hello = false;
	while (fgets(line, sizeof line, output) != NULL) {
		lines++;
		if (strstr(line, "Flags [P.], seq 1:6, ack 1") != NULL)
			saw_hello = true;
	}
	int status = pclose(output);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "tcpdump -r failed (status %d)",
		  status);
	cr_assert_eq(lines, drained, "tcpdump printed %zu packets, %zu were drained", lines,
		     drained);
	cr_assert(saw_hello, "tcpdump did not show the 5-byte PSH from seq 1");
	unlink(path);
}

Test(capture, a_file_that_cannot_be_written_is_refused_with_its_name)
{
	struct capture_file *file = NULL;
	char *err = NULL;
	cr_assert_eq(capture_file_open(&file, "/nonexistent-directory/run.pcap", &err), -1);
	cr_assert_null(file);
	cr_assert_not_null(strstr(err, "/nonexistent-directory/run.pcap"), "%s", err);
	free(err);
	cr_assert_eq(capture_file_close(NULL, NULL), 0);
}

/* ---- ordinary users ------------------------------------------------------ */

static void nobody_in_namespace(const struct child *child)
{
	struct live live;
	if (geteuid() == 0)
		child_become_nobody(child);
	child_enter_namespace(child);
	live_open(&live, child);
	int listener = listen_on(child, AF_INET, SERVER_PORT);
	int client = connect_to(child, AF_INET, SERVER_PORT);
	live_drain(&live, "connect");
	child_assert(child,
		     live.batch.count == 3 && strcmp(live.batch.packets[1].flags, "SYN-ACK") == 0,
		     "%zu packets", live.batch.count);
	close(client);
	close(listener);
	live_close(&live);
}

Test(capture, an_ordinary_user_captures_inside_the_namespace)
{
	run_in_child(nobody_in_namespace, NULL);
}

static void nobody_on_the_host(const struct child *child)
{
	struct capture *capture = NULL;
	char *err = NULL;
	if (geteuid() == 0)
		child_become_nobody(child);
	if (capture_open(&capture, &err) == 0)
		child_finish(child, CHILD_SKIPPED,
			     "this user may capture on the host's lo (CAP_NET_RAW)");
	const char *prefix = "packet capture needs a private network namespace or CAP_NET_RAW: ";
	child_assert(child,
		     capture == NULL && err != NULL && strncmp(err, prefix, strlen(prefix)) == 0
			     && strchr(err, '\n') == NULL,
		     "%s", err ? err : "(no message)");
	child_finish(child, CHILD_PASSED, "%s", err);
}

Test(capture, says_why_an_ordinary_user_cannot_capture_on_the_host)
{
	run_in_child(nobody_on_the_host, NULL);
}

/* ---- the fence ----------------------------------------------------------- */

/* Receive packet steering on lo sends every packet to the other CPU's
 * backlog: a sendto() returns before that CPU has handed the datagram to
 * the capture, so only lo's counter can tell the drain to wait. Setting
 * rps_cpus takes CAP_NET_ADMIN over the host, so this runs as root, in a
 * network namespace of its own (no user namespace). */
static void packets_from_another_cpu(const struct child *child)
{
	int there = child_steer_lo_to_another_cpu(child);

	struct live live;
	live_open(&live, child);
	int socket_fd = bound_socket(child, AF_INET, SOCK_DGRAM, 65433);
	struct sockaddr_storage address;
	socklen_t length = loopback_address(AF_INET, 65433, &address);
	int waited = 0;
	uint32_t longest = 0;
	for (int i = 0; i < 500; i++) {
		char buffer[4];
		child_assert(child,
			     sendto(socket_fd, "hi", 2, 0, (struct sockaddr *)&address,
				    length) == 2,
			     "%s", strerror(errno));
		live_drain(&live, "sendto");
		child_assert(child, live.batch.count == 1, "drain %d: %zu packets", i,
			     live.batch.count);
		if (live.batch.waited_us > 0)
			waited++;
		if (live.batch.waited_us > longest)
			longest = live.batch.waited_us;
		child_assert(child, recv(socket_fd, buffer, sizeof buffer, 0) == 2, "%s",
			     strerror(errno));
	}
	close(socket_fd);
	live_close(&live);
	child_finish(child, CHILD_PASSED,
		     "with RPS to CPU %d, %d of 500 drains waited for lo's count (longest %u us)",
		     there, waited, longest);
}

Test(capture, waits_for_packets_another_cpu_delivers)
{
	run_in_child(packets_from_another_cpu, NULL);
}

/* ---- the decoder on recorded frames ------------------------------------- */

/* Every frame of capture-session.cap, as capture-record printed it. */
static const struct session_frame {
	const char *source;
	const char *destination;
	const char *flags;      /* "" for UDP */
	uint32_t seq;
	uint32_t ack;
	uint32_t length;
	const char *payload;
} session_frames[] = {
	{ "127.0.0.1:45924", "127.0.0.1:65432", "SYN", 0, 0, 0, "" },
	{ "127.0.0.1:65432", "127.0.0.1:45924", "SYN-ACK", 0, 1, 0, "" },
	{ "127.0.0.1:45924", "127.0.0.1:65432", "ACK", 1, 1, 0, "" },
	{ "127.0.0.1:45924", "127.0.0.1:65432", "PSH-ACK", 1, 1, 5, "Hello" },
	{ "127.0.0.1:65432", "127.0.0.1:45924", "ACK", 1, 6, 0, "" },
	{ "127.0.0.1:65432", "127.0.0.1:45924", "PSH-ACK", 1, 6, 5, "Hi!\\r\\n" },
	{ "127.0.0.1:45924", "127.0.0.1:65432", "ACK", 6, 6, 0, "" },
	{ "127.0.0.1:45924", "127.0.0.1:65432", "FIN-ACK", 6, 6, 0, "" },
	{ "127.0.0.1:65432", "127.0.0.1:45924", "FIN-ACK", 6, 7, 0, "" },
	{ "127.0.0.1:45924", "127.0.0.1:65432", "ACK", 7, 7, 0, "" },
	{ "127.0.0.1:54892", "127.0.0.1:65431", "SYN", 0, 0, 0, "" },
	{ "127.0.0.1:65431", "127.0.0.1:54892", "RST-ACK", 1, 1, 0, "" },
	{ "127.0.0.1:65433", "127.0.0.1:65434", "", 0, 0, 4, "ping" },
	{ "[::1]:65433", "[::1]:65434", "", 0, 0, 5, "pong\\x01" },
	{ "[::1]:58090", "[::1]:65432", "SYN", 0, 0, 0, "" },
	{ "[::1]:65432", "[::1]:58090", "SYN-ACK", 0, 1, 0, "" },
	{ "[::1]:58090", "[::1]:65432", "ACK", 1, 1, 0, "" },
	{ "[::1]:58090", "[::1]:65432", "FIN-ACK", 1, 1, 0, "" },
	{ "[::1]:65432", "[::1]:58090", "FIN-ACK", 1, 2, 0, "" },
	{ "[::1]:58090", "[::1]:65432", "ACK", 2, 2, 0, "" },
	{ "127.0.0.1:47761", "127.0.0.1:65435", "", 0, 0, 1, "x" },
};

/* One frame of the fixture, copied. */
struct recorded_frame {
	unsigned char bytes[CAPTURE_SNAPLEN];
	size_t length;
	int64_t time_us;
};

/* Reads the fixture; returns how many frames it held. */
static size_t read_fixture(struct recorded_frame *frames, size_t capacity, int *linktype)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *file = pcap_open_offline(SESSION_FIXTURE, errbuf);
	cr_assert_not_null(file, "%s", errbuf);
	*linktype = pcap_datalink(file);
	struct pcap_pkthdr *header;
	const u_char *bytes;
	size_t count = 0;
	while (pcap_next_ex(file, &header, &bytes) == 1) {
		cr_assert_lt(count, capacity);
		cr_assert_leq(header->caplen, CAPTURE_SNAPLEN);
		memcpy(frames[count].bytes, bytes, header->caplen);
		frames[count].length = header->caplen;
		frames[count].time_us = (int64_t)header->ts.tv_sec * 1000000 + header->ts.tv_usec;
		count++;
	}
	pcap_close(file);
	return count;
}

/* Decodes from an allocation of exactly len bytes, so that AddressSanitizer
 * catches a read past the end. */
static int decode_exactly(const unsigned char *bytes, size_t len, int linktype,
			  struct capture_flows *flows, struct lab_packet *packet)
{
	unsigned char *copy = malloc(len ? len : 1);
	cr_assert_not_null(copy);
	memcpy(copy, bytes, len);
	int result = capture_decode(copy, len, linktype, flows, packet);
	free(copy);
	return result;
}

Test(capture_decode, reads_the_recorded_session)
{
	static struct recorded_frame frames[64];
	int linktype;
	size_t count = read_fixture(frames, LENGTH(frames), &linktype);
	cr_assert_eq(linktype, DLT_EN10MB);
	cr_assert_eq(count, LENGTH(session_frames));
	struct capture_flows *flows = capture_flows_new();
	for (size_t i = 0; i < count; i++) {
		struct lab_packet packet;
		const struct session_frame *expected = &session_frames[i];
		cr_assert_eq(decode_exactly(frames[i].bytes, frames[i].length, linktype, flows,
					    &packet),
			     CAPTURE_DECODED, "frame %zu", i);
		cr_assert_str_eq(lab_address_shown(&packet.source_address).text, expected->source,
				 "frame %zu", i);
		cr_assert_str_eq(lab_address_shown(&packet.destination_address).text,
				 expected->destination, "frame %zu", i);
		cr_assert_str_eq(packet.flags, expected->flags, "frame %zu", i);
		cr_assert_eq(packet.seq, expected->seq, "frame %zu: seq %u", i, packet.seq);
		cr_assert_eq(packet.ack, expected->ack, "frame %zu: ack %u", i, packet.ack);
		cr_assert_eq(packet.payload_length, expected->length, "frame %zu", i);
		cr_assert_str_eq(packet.payload, expected->payload, "frame %zu", i);
		cr_assert_eq(packet.protocol, expected->flags[0] ? IPPROTO_TCP : IPPROTO_UDP);
		cr_assert_eq(packet.time_us, 0, "the frame's bytes hold no time");
	}
	capture_flows_free(flows);
}

Test(capture_decode, refuses_every_truncation_of_the_headers)
{
	static struct recorded_frame frames[64];
	int linktype;
	size_t count = read_fixture(frames, LENGTH(frames), &linktype);
	for (size_t i = 0; i < count; i++) {
		struct lab_packet whole, cut;
		cr_assert_eq(decode_exactly(frames[i].bytes, frames[i].length, linktype, NULL,
					    &whole),
			     CAPTURE_DECODED);
		/* The fixture's frames are whole (each shorter than the snap
		 * length), so the headers end where the payload starts. */
		size_t headers_end = frames[i].length - whole.payload_length;
		for (size_t length = 0; length < frames[i].length; length++) {
			int result = decode_exactly(frames[i].bytes, length, linktype, NULL, &cut);
			if (length < headers_end) {
				cr_assert_eq(result, CAPTURE_MALFORMED,
					     "frame %zu cut at %zu of %zu: %d", i, length,
					     frames[i].length, result);
				continue;
			}
			/* Cut in the payload: what a short snap length gives. */
			cr_assert_eq(result, CAPTURE_DECODED, "frame %zu cut at %zu", i, length);
			cr_assert_eq(cut.payload_shown, length - headers_end);
			cr_assert_eq(cut.payload_length, whole.payload_length);
			cr_assert_str_eq(cut.flags, whole.flags);
			cr_assert_eq(cut.raw_seq, whole.raw_seq);
		}
	}
}

static void put16(unsigned char *at, uint16_t value);

/* xorshift64*: the same bytes on every run, so a failure can be replayed. */
static uint64_t next_random(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 2685821657736338717ull;
}

static void check_sane(const struct lab_packet *packet, int result, size_t length)
{
	cr_assert(result == CAPTURE_DECODED || result == CAPTURE_OTHER
			  || result == CAPTURE_MALFORMED,
		  "%d", result);
	if (result != CAPTURE_DECODED)
		return;
	cr_assert(packet->protocol == IPPROTO_TCP || packet->protocol == IPPROTO_UDP);
	cr_assert(packet->family == AF_INET || packet->family == AF_INET6);
	cr_assert_leq(packet->payload_shown, CAPTURE_PAYLOAD_SHOWN);
	cr_assert_leq(packet->payload_shown, length);
	cr_assert_leq(packet->payload_shown, packet->payload_length);
	cr_assert_lt(strnlen(packet->payload, sizeof packet->payload), sizeof packet->payload);
	cr_assert_lt(strnlen(packet->flags, sizeof packet->flags), sizeof packet->flags);
	cr_assert_lt(packet->source_address.kind, LAB_ADDRESS_KIND_COUNT);
	cr_assert_lt(packet->destination_address.kind, LAB_ADDRESS_KIND_COUNT);
	cr_assert(packet->window_scale >= -1 && packet->window_scale <= 14);
}

static const int every_linktype[] = {
	DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, DLT_IPV4,
	DLT_IPV6,   DLT_NULL,      DLT_LOOP,       9999,    -1,
};

Test(capture_decode, survives_random_bytes)
{
	uint64_t state = 0x50c61ab;
	unsigned char frame[300];
	struct capture_flows *flows = capture_flows_new();
	size_t decoded = 0;
	for (int round = 0; round < 200000; round++) {
		size_t length = next_random(&state) % sizeof frame;
		for (size_t i = 0; i < length; i++)
			frame[i] = (unsigned char)next_random(&state);
		int linktype = every_linktype[next_random(&state) % LENGTH(every_linktype)];
		/* Give half the rounds a plausible IP version, to get past it,
		 * and some an IPv4 header that names TCP or UDP and its length. */
		if (length > 0 && (round & 1))
			frame[0] = (unsigned char)((round & 2 ? 0x40 : 0x60) | (frame[0] & 0x0f));
		if (length >= 20 && (round & 7) == 3) {
			linktype = DLT_RAW;
			frame[0] = 0x45;
			put16(frame + 2, (uint16_t)length);
			put16(frame + 6, 0);
			frame[9] = round & 8 ? IPPROTO_TCP : IPPROTO_UDP;
		}
		struct lab_packet packet;
		int result = decode_exactly(frame, length, linktype, flows, &packet);
		check_sane(&packet, result, length);
		decoded += result == CAPTURE_DECODED;
	}
	capture_flows_free(flows);
	cr_log_info("random bytes: %zu of 200000 decoded as TCP or UDP", decoded);
}

Test(capture_decode, survives_corrupted_recorded_frames)
{
	static struct recorded_frame frames[64];
	int linktype;
	size_t count = read_fixture(frames, LENGTH(frames), &linktype);
	uint64_t state = 0x0ddba11;
	struct capture_flows *flows = capture_flows_new();
	for (int round = 0; round < 100000; round++) {
		const struct recorded_frame *original = &frames[next_random(&state) % count];
		unsigned char frame[CAPTURE_SNAPLEN];
		memcpy(frame, original->bytes, original->length);
		int flips = 1 + (int)(next_random(&state) % 4);
		for (int i = 0; i < flips; i++)
			frame[next_random(&state) % original->length] =
				(unsigned char)next_random(&state);
		size_t length = next_random(&state) % 4 == 0
			? next_random(&state) % (original->length + 1)
			: original->length;
		struct lab_packet packet;
		check_sane(&packet, decode_exactly(frame, length, linktype, flows, &packet),
			   length);
	}
	capture_flows_free(flows);
}

/* ---- the decoder on frames built here ----------------------------------- */

/* A TCP segment or UDP datagram over IPv4, to build a DLT_RAW frame. */
struct segment {
	uint16_t source_port;
	uint16_t destination_port;
	uint32_t seq;
	uint32_t ack;
	uint8_t flags;          /* TCP header flags; UDP when `udp` */
	uint16_t window;
	int window_scale;       /* -1: no option */
	const char *payload;
	bool udp;
};

enum {
	FIN = 0x01,
	SYN = 0x02,
	RST = 0x04,
	PSH = 0x08,
	ACK = 0x10,
	URG = 0x20,
	ECE = 0x40,
	CWR = 0x80
};

static void put16(unsigned char *at, uint16_t value)
{
	at[0] = (unsigned char)(value >> 8);
	at[1] = (unsigned char)value;
}

static void put32(unsigned char *at, uint32_t value)
{
	put16(at, (uint16_t)(value >> 16));
	put16(at + 2, (uint16_t)value);
}

/* Builds 127.0.0.1 -> 127.0.0.1, as on lo: the ports tell the ends apart
 * (checksums are not checked). */
static size_t build_ipv4(unsigned char *frame, const struct segment *segment)
{
	size_t payload_length = segment->payload ? strlen(segment->payload) : 0;
	size_t options = segment->window_scale >= 0 ? 4 : 0;
	size_t transport = segment->udp ? 8 : 20 + options;
	size_t total = 20 + transport + payload_length;
	memset(frame, 0, total);
	frame[0] = 0x45;
	put16(frame + 2, (uint16_t)total);
	put16(frame + 6, 0x4000);       /* don't fragment */
	frame[8] = 64;
	frame[9] = segment->udp ? IPPROTO_UDP : IPPROTO_TCP;
	put32(frame + 12, 0x7f000001);
	put32(frame + 16, 0x7f000001);
	unsigned char *header = frame + 20;
	put16(header, segment->source_port);
	put16(header + 2, segment->destination_port);
	if (segment->udp) {
		put16(header + 4, (uint16_t)(8 + payload_length));
	} else {
		put32(header + 4, segment->seq);
		put32(header + 8, segment->ack);
		header[12] = (unsigned char)((transport / 4) << 4);
		header[13] = segment->flags;
		put16(header + 14, segment->window);
		if (options) {
			header[20] = 1;         /* NOP */
			header[21] = 3;         /* window scale */
			header[22] = 3;
			header[23] = (unsigned char)segment->window_scale;
		}
	}
	memcpy(frame + 20 + transport, segment->payload ? segment->payload : "", payload_length);
	return total;
}

static struct lab_packet decode_segment(struct capture_flows *flows, struct segment segment)
{
	unsigned char frame[256];
	struct lab_packet packet;
	size_t length = build_ipv4(frame, &segment);
	cr_assert_eq(decode_exactly(frame, length, DLT_RAW, flows, &packet), CAPTURE_DECODED);
	return packet;
}

Test(capture_decode, numbers_a_reused_port_from_its_new_isn)
{
	struct capture_flows *flows = capture_flows_new();
	struct lab_packet packet;
	decode_segment(flows, (struct segment){ 40000, 80, 1000, 0, SYN, 100, -1, NULL, false });
	decode_segment(flows,
		       (struct segment){ 80, 40000, 5000, 1001, SYN | ACK, 100, -1, NULL, false });
	packet = decode_segment(flows,
				(struct segment){ 40000, 80, 1001, 5001, FIN | ACK, 100, -1, NULL,
						  false });
	cr_assert_eq(packet.seq, 1);
	cr_assert_eq(packet.ack, 1);
	/* After TIME-WAIT the same ports carry a new connection. */
	packet = decode_segment(flows,
				(struct segment){ 40000, 80, 90000, 0, SYN, 100, -1, NULL, false });
	cr_assert_eq(packet.seq, 0);
	packet = decode_segment(flows,
				(struct segment){ 80, 40000, 7000, 90001, SYN | ACK, 100, -1, NULL,
						  false });
	cr_assert_eq(packet.seq, 0);
	cr_assert_eq(packet.ack, 1);
	/* A retransmitted SYN keeps the numbering. */
	packet = decode_segment(flows,
				(struct segment){ 40000, 80, 90000, 0, SYN, 100, -1, NULL, false });
	cr_assert_eq(packet.seq, 0);
	packet = decode_segment(flows,
				(struct segment){ 40000, 80, 90001, 7001, PSH | ACK, 100, -1, "abc",
						  false });
	cr_assert_eq(packet.seq, 1);
	cr_assert_eq(packet.ack, 1);
	cr_assert_eq(packet.raw_seq, 90001);
	cr_assert_eq(packet.raw_ack, 7001);
	capture_flows_free(flows);
}

Test(capture_decode, counts_from_one_when_the_syn_was_not_seen)
{
	struct capture_flows *flows = capture_flows_new();
	struct lab_packet packet;
	packet = decode_segment(flows,
				(struct segment){ 40000, 80, 12345, 777, PSH | ACK, 100, -1,
						  "hello", false });
	cr_assert_eq(packet.seq, 1);
	cr_assert_eq(packet.ack, 1);
	packet = decode_segment(flows,
				(struct segment){ 80, 40000, 777, 12350, ACK, 100, -1, NULL,
						  false });
	cr_assert_eq(packet.seq, 1);
	cr_assert_eq(packet.ack, 6);
	/* Without a table, the numbers stay as on the wire. */
	packet = decode_segment(NULL,
				(struct segment){ 80, 40000, 777, 12350, ACK, 100, -1, NULL,
						  false });
	cr_assert_eq(packet.seq, 777);
	cr_assert_eq(packet.ack, 12350);
	capture_flows_free(flows);
}

Test(capture_decode, scales_the_window_once_both_syns_agree)
{
	struct capture_flows *flows = capture_flows_new();
	struct lab_packet packet;
	packet = decode_segment(flows,
				(struct segment){ 40000, 80, 1, 0, SYN, 65495, 7, NULL, false });
	cr_assert_eq(packet.window_scale, 7);
	cr_assert_eq(packet.window_bytes, 65495, "a SYN's window is never scaled");
	decode_segment(flows,
		       (struct segment){ 80, 40000, 1, 2, SYN | ACK, 65483, 5, NULL, false });
	packet = decode_segment(flows,
				(struct segment){ 40000, 80, 2, 2, ACK, 512, -1, NULL, false });
	cr_assert_eq(packet.window_bytes, 512 << 7);
	packet = decode_segment(flows,
				(struct segment){ 80, 40000, 2, 2, ACK, 512, -1, NULL, false });
	cr_assert_eq(packet.window_bytes, 512 << 5);

	/* One side without the option: no scaling either way. */
	decode_segment(flows, (struct segment){ 40001, 80, 1, 0, SYN, 65495, 7, NULL, false });
	decode_segment(flows,
		       (struct segment){ 80, 40001, 1, 2, SYN | ACK, 65483, -1, NULL, false });
	packet = decode_segment(flows,
				(struct segment){ 40001, 80, 2, 2, ACK, 512, -1, NULL, false });
	cr_assert_eq(packet.window_bytes, 512);
	capture_flows_free(flows);
}

Test(capture_decode, names_the_flags_with_ack_last)
{
	static const struct {
		uint8_t bits;
		const char *name;
	} names[] = {
		{ SYN, "SYN" },
		{ SYN | ACK, "SYN-ACK" },
		{ ACK, "ACK" },
		{ PSH | ACK, "PSH-ACK" },
		{ FIN | ACK, "FIN-ACK" },
		{ FIN | PSH | ACK, "FIN-PSH-ACK" },
		{ RST, "RST" },
		{ RST | ACK, "RST-ACK" },
		{ SYN | ECE | CWR, "SYN-ECE-CWR" },
		{ 0xff, "SYN-FIN-RST-PSH-URG-ECE-CWR-ACK" },
		{ 0, "none" },
	};
	for (size_t i = 0; i < LENGTH(names); i++) {
		struct lab_packet packet =
			decode_segment(NULL,
				       (struct segment){ 1, 2, 3, 4, names[i].bits, 5, -1, NULL,
							 false });
		cr_assert_str_eq(packet.flags, names[i].name);
		cr_assert_eq(packet.flag_bits, names[i].bits);
	}
}

Test(capture_decode, shows_at_most_32_payload_bytes)
{
	char payload[101];
	memset(payload, 'z', 100);
	payload[100] = '\0';
	struct lab_packet packet =
		decode_segment(NULL, (struct segment){ 1, 2, 0, 0, 0, 0, -1, payload, true });
	cr_assert_eq(packet.protocol, IPPROTO_UDP);
	cr_assert_eq(packet.payload_length, 100);
	cr_assert_eq(packet.payload_shown, CAPTURE_PAYLOAD_SHOWN);
	cr_assert_eq(strlen(packet.payload), CAPTURE_PAYLOAD_SHOWN);
	cr_assert_str_eq(lab_address_shown(&packet.source_address).text, "127.0.0.1:1");
	cr_assert_str_eq(lab_address_shown(&packet.destination_address).text, "127.0.0.1:2");
	cr_assert_eq(packet.wire_length, 20 + 8 + 100);
}

Test(capture_decode, reads_every_link_layer_it_names)
{
	unsigned char ip[128], frame[160];
	size_t length = build_ipv4(ip, &(struct segment){ 7, 9, 100, 0, SYN, 10, -1, NULL, false });
	static const struct {
		int linktype;
		size_t header;
		size_t type_at;         /* where the EtherType goes; SIZE_MAX: none */
	} layers[] = {
		{ DLT_EN10MB, 14, 12 },
		{ DLT_LINUX_SLL, 16, 14 },
		{ DLT_LINUX_SLL2, 20, 0 },
		{ DLT_RAW, 0, SIZE_MAX },
		{ DLT_IPV4, 0, SIZE_MAX },
		{ DLT_NULL, 4, SIZE_MAX },
		{ DLT_LOOP, 4, SIZE_MAX },
	};
	for (size_t i = 0; i < LENGTH(layers); i++) {
		memset(frame, 0, layers[i].header);
		if (layers[i].type_at != SIZE_MAX)
			put16(frame + layers[i].type_at, 0x0800);
		memcpy(frame + layers[i].header, ip, length);
		struct lab_packet packet;
		cr_assert_eq(decode_exactly(frame, layers[i].header + length, layers[i].linktype,
					    NULL, &packet),
			     CAPTURE_DECODED, "link type %d", layers[i].linktype);
		cr_assert_str_eq(lab_address_shown(&packet.source_address).text, "127.0.0.1:7");
		cr_assert_str_eq(packet.flags, "SYN");
	}
	/* A VLAN tag in a recorded Ethernet file. */
	memset(frame, 0, 18);
	put16(frame + 12, 0x8100);
	put16(frame + 16, 0x0800);
	memcpy(frame + 18, ip, length);
	struct lab_packet packet;
	cr_assert_eq(decode_exactly(frame, 18 + length, DLT_EN10MB, NULL, &packet),
		     CAPTURE_DECODED);
	/* ARP is another protocol; an unknown link type is refused. */
	put16(frame + 12, 0x0806);
	cr_assert_eq(decode_exactly(frame, 60, DLT_EN10MB, NULL, &packet), CAPTURE_OTHER);
	cr_assert_eq(decode_exactly(ip, length, 9999, NULL, &packet), CAPTURE_MALFORMED);
	cr_assert_eq(capture_decode(NULL, 0, DLT_RAW, NULL, &packet), CAPTURE_MALFORMED);
}

Test(capture_decode, walks_ipv6_extension_headers_and_skips_fragments)
{
	/* IPv6, hop-by-hop options (8 bytes), UDP [::1]:5 > [::1]:6 "hey". */
	unsigned char frame[40 + 8 + 8 + 3] = { 0x60 };
	put16(frame + 4, 8 + 8 + 3);
	frame[6] = 0;                   /* hop-by-hop */
	frame[7] = 64;
	frame[23] = 1;                  /* ::1 */
	frame[39] = 1;
	frame[40] = IPPROTO_UDP;        /* the next header after hop-by-hop */
	frame[41] = 0;                  /* (0 + 1) * 8 bytes */
	put16(frame + 48, 5);
	put16(frame + 50, 6);
	put16(frame + 52, 8 + 3);
	memcpy(frame + 56, "hey", 3);
	struct lab_packet packet;
	cr_assert_eq(decode_exactly(frame, sizeof frame, DLT_RAW, NULL, &packet), CAPTURE_DECODED);
	cr_assert_str_eq(lab_address_shown(&packet.source_address).text, "[::1]:5");
	cr_assert_str_eq(packet.payload, "hey");
	cr_assert_eq(packet.wire_length, sizeof frame);

	/* The same as a later fragment: no UDP header in it. */
	frame[6] = 44;
	frame[40] = IPPROTO_UDP;
	put16(frame + 42, 8 << 3);      /* offset 8 * 8 bytes */
	cr_assert_eq(decode_exactly(frame, sizeof frame, DLT_RAW, NULL, &packet), CAPTURE_OTHER);
	/* An extension that claims more than the payload. */
	frame[6] = 0;
	frame[41] = 4;
	cr_assert_eq(decode_exactly(frame, sizeof frame, DLT_RAW, NULL, &packet),
		     CAPTURE_MALFORMED);

	/* IPv4: a later fragment, and ICMP, are other protocols. */
	unsigned char ip[64];
	size_t length = build_ipv4(ip, &(struct segment){ 1, 2, 0, 0, 0, 0, -1, "abc", true });
	put16(ip + 6, 0x0010);
	cr_assert_eq(decode_exactly(ip, length, DLT_RAW, NULL, &packet), CAPTURE_OTHER);
	put16(ip + 6, 0);
	ip[9] = IPPROTO_ICMP;
	cr_assert_eq(decode_exactly(ip, length, DLT_RAW, NULL, &packet), CAPTURE_OTHER);
	/* A UDP length beyond the datagram. */
	ip[9] = IPPROTO_UDP;
	put16(ip + 24, 200);
	cr_assert_eq(decode_exactly(ip, length, DLT_RAW, NULL, &packet), CAPTURE_MALFORMED);
}

Test(capture_decode, forgets_the_least_recently_used_connection_when_full)
{
	struct capture_flows *flows = capture_flows_new();
	struct lab_packet packet;
	decode_segment(flows, (struct segment){ 1000, 80, 500, 0, SYN, 10, -1, NULL, false });
	for (uint16_t port = 2000; port < 2000 + 1000; port++) {
		decode_segment(flows, (struct segment){ port, 80, 1, 0, SYN, 10, -1, NULL, false });
		/* Keep the first connection in use. */
		packet = decode_segment(flows,
					(struct segment){ 1000, 80, 501, 1, ACK, 10, -1, NULL,
							  false });
		cr_assert_eq(packet.seq, 1);
	}
	capture_flows_free(flows);
}
