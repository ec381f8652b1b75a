/* The host path's rewriting of addresses, with made-up free ports: no kernel. */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "address.h"
#include "host_ports.h"

/* The "free" ports the fake kernel offers, in turn; -1 when none is left. */
static int offers[8];
static int offer_count, offered;

static int fake_free_port(char **err)
{
	if (offered < offer_count)
		return offers[offered++];
	return text_error(err, "no free port in the test");
}

static struct host_ports ports;
static struct run_info info;

static void set_up(void)
{
	memset(&ports, 0, sizeof ports);
	memset(&info, 0, sizeof info);
	ports.free_port = fake_free_port;
	ports.info = &info;
	offer_count = offered = 0;
}

static void tear_down(void)
{
	host_ports_done(&ports);
}

TestSuite(host_ports, .init = set_up, .fini = tear_down);

static void offer(int a, int b, int c)
{
	offers[0] = a;
	offers[1] = b;
	offers[2] = c;
	offer_count = 3;
}

static socklen_t ipv4(struct sockaddr_storage *out, const char *host, uint16_t port)
{
	memset(out, 0, sizeof *out);
	struct sockaddr_in *in = (struct sockaddr_in *)out;
	in->sin_family = AF_INET;
	in->sin_port = htons(port);
	cr_assert_eq(inet_pton(AF_INET, host, &in->sin_addr), 1);
	return sizeof *in;
}

static socklen_t ipv6(struct sockaddr_storage *out, const char *host, uint16_t port)
{
	memset(out, 0, sizeof *out);
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(port);
	cr_assert_eq(inet_pton(AF_INET6, host, &in6->sin6_addr), 1);
	return sizeof *in6;
}

static void text_of(const struct sockaddr_storage *address, socklen_t length, char *out)
{
	text_address((const struct sockaddr *)address, length, out, TEXT_ADDRESS_MAX);
}

Test(host_ports, a_lesson_port_gets_the_offered_port_once_and_is_listed)
{
	offer(41000, 41001, 41002);
	cr_assert_eq(host_ports_map(&ports, 80, NULL), 41000);
	cr_assert_eq(host_ports_map(&ports, 80, NULL), 41000, "a lesson port maps the same way");
	cr_assert_eq(host_ports_map(&ports, 81, NULL), 41001);
	cr_assert_eq(offered, 2, "a mapped port asks the kernel nothing");
	cr_assert_eq(info.port_map_count, 2);
	cr_assert_eq(info.port_map[0].from, 80);
	cr_assert_eq(info.port_map[0].to, 41000);
	cr_assert_eq(info.port_map[1].from, 81);
	cr_assert_eq(info.port_map[1].to, 41001);
}

Test(host_ports, a_host_port_already_given_out_is_not_given_twice)
{
	offer(41000, 41000, 41005);
	cr_assert_eq(host_ports_map(&ports, 80, NULL), 41000);
	cr_assert_eq(host_ports_map(&ports, 81, NULL), 41005);
}

Test(host_ports, no_free_port_is_an_error_and_maps_nothing)
{
	char *err = NULL;
	cr_assert_eq(host_ports_map(&ports, 80, &err), 0);
	cr_assert_not_null(err);
	free(err);
	cr_assert_eq(info.port_map_count, 0);
}

Test(host_ports, the_wildcard_address_becomes_loopback_with_the_mapped_port)
{
	offer(41000, 41001, 41002);
	struct sockaddr_storage address;
	socklen_t length = ipv4(&address, "0.0.0.0", 8080);
	struct refusal refusal = { 0 };
	host_ports_address(&ports, CALL_BIND, SOCK_STREAM, &address, &length, &refusal);
	char text[TEXT_ADDRESS_MAX];
	text_of(&address, length, text);
	cr_assert_eq(refusal.error, 0);
	cr_assert_str_eq(text, "127.0.0.1:41000");
}

Test(host_ports, port_zero_stays_zero_and_asks_nothing)
{
	struct sockaddr_storage address;
	socklen_t length = ipv4(&address, "127.0.0.5", 0);
	struct refusal refusal = { 0 };
	host_ports_address(&ports, CALL_BIND, SOCK_DGRAM, &address, &length, &refusal);
	char text[TEXT_ADDRESS_MAX];
	text_of(&address, length, text);
	cr_assert_eq(refusal.error, 0);
	cr_assert_str_eq(text, "127.0.0.5:0");
	cr_assert_eq(offered, 0);
}

Test(host_ports, an_address_off_loopback_is_refused_as_the_private_path_would)
{
	struct sockaddr_storage address;
	socklen_t length = ipv4(&address, "10.1.2.3", 80);
	struct refusal refusal = { 0 };
	host_ports_address(&ports, CALL_CONNECT, SOCK_STREAM, &address, &length, &refusal);
	cr_assert_eq(refusal.error, ENETUNREACH);
	cr_assert_not_null(strstr(refusal.why, "10.1.2.3"));
	struct refusal bind_refusal = { 0 };
	length = ipv4(&address, "10.1.2.3", 80);
	host_ports_address(&ports, CALL_BIND, SOCK_STREAM, &address, &length, &bind_refusal);
	cr_assert_eq(bind_refusal.error, EADDRNOTAVAIL);
}

Test(host_ports, tcp_may_bind_the_broadcast_address_a_datagram_socket_may_not)
{
	offer(41000, 41001, 41002);
	struct sockaddr_storage address;
	socklen_t length = ipv4(&address, "255.255.255.255", 80);
	struct refusal refusal = { 0 };
	host_ports_address(&ports, CALL_BIND, SOCK_STREAM, &address, &length, &refusal);
	cr_assert_eq(refusal.error, 0);
	length = ipv4(&address, "255.255.255.255", 80);
	host_ports_address(&ports, CALL_BIND, SOCK_DGRAM, &address, &length, &refusal);
	cr_assert_eq(refusal.error, EADDRNOTAVAIL);
}

Test(host_ports, ipv6_wildcards_become_loopback)
{
	offer(41000, 41001, 41002);
	struct sockaddr_storage address;
	socklen_t length = ipv6(&address, "::", 80);
	struct refusal refusal = { 0 };
	char text[TEXT_ADDRESS_MAX];
	host_ports_address(&ports, CALL_BIND, SOCK_STREAM, &address, &length, &refusal);
	text_of(&address, length, text);
	cr_assert_str_eq(text, "[::1]:41000");
	length = ipv6(&address, "::ffff:0.0.0.0", 80);
	host_ports_address(&ports, CALL_BIND, SOCK_STREAM, &address, &length, &refusal);
	text_of(&address, length, text);
	cr_assert_str_eq(text, "[::ffff:127.0.0.1]:41000");
	cr_assert_eq(refusal.error, 0);
	length = ipv6(&address, "2001:db8::1", 80);
	host_ports_address(&ports, CALL_CONNECT, SOCK_STREAM, &address, &length, &refusal);
	cr_assert_eq(refusal.error, ENETUNREACH);
}

static socklen_t unix_name(struct sockaddr_storage *out, const char *name, size_t size)
{
	memset(out, 0, sizeof *out);
	struct sockaddr_un *un = (struct sockaddr_un *)out;
	un->sun_family = AF_UNIX;
	memcpy(un->sun_path, name, size);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + size);
}

Test(host_ports, a_file_name_stays_in_the_lab_directory)
{
	struct sockaddr_storage address;
	struct refusal refusal = { 0 };
	socklen_t length = unix_name(&address, "./echo.sock", sizeof "./echo.sock");
	host_ports_address(&ports, CALL_BIND, SOCK_STREAM, &address, &length, &refusal);
	cr_assert_eq(refusal.error, 0);
	length = unix_name(&address, "a/../../echo.sock", sizeof "a/../../echo.sock");
	host_ports_address(&ports, CALL_BIND, SOCK_STREAM, &address, &length, &refusal);
	cr_assert_eq(refusal.error, EACCES);
	cr_assert_not_null(strstr(refusal.why, "goes up with .."));
	struct refusal absolute = { 0 };
	host_refuse_name(&absolute, "/etc/passwd", sizeof "/etc/passwd");
	cr_assert_eq(absolute.error, EACCES);
	cr_assert_not_null(strstr(absolute.why, "is absolute"));
	struct refusal dots = { 0 };
	host_refuse_name(&dots, "..x/y", sizeof "..x/y");
	cr_assert_eq(dots.error, 0, "a name starting with .. is not the .. component");
}

Test(host_ports, an_abstract_name_gets_the_lab_prefix)
{
	struct sockaddr_storage address;
	struct refusal refusal = { 0 };
	socklen_t length = unix_name(&address, "\0echo", 5);
	host_ports_address(&ports, CALL_BIND, SOCK_STREAM, &address, &length, &refusal);
	cr_assert_eq(refusal.error, 0);
	char expected[64];
	int n = snprintf(expected, sizeof expected, "lab%d/echo", (int)getpid());
	const struct sockaddr_un *un = (const struct sockaddr_un *)&address;
	cr_assert_eq(un->sun_path[0], '\0');
	cr_assert_eq(length, offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
	cr_assert_eq(memcmp(un->sun_path + 1, expected, (size_t)n), 0);
}

Test(host_ports, an_expected_address_keeps_its_host_and_takes_the_mapped_port)
{
	offer(41000, 41001, 41002);
	struct sockaddr_storage address;
	socklen_t length = ipv4(&address, "0.0.0.0", 80);
	host_ports_expected(&ports, &address);
	char text[TEXT_ADDRESS_MAX];
	text_of(&address, length, text);
	cr_assert_str_eq(text, "0.0.0.0:41000");
}

Test(host_ports, the_first_refusal_stands)
{
	struct refusal refusal = { 0 };
	refuse(&refusal, EBADF, "first");
	refuse(&refusal, EACCES, "second");
	refuse(NULL, EACCES, "nowhere");
	cr_assert_eq(refusal.error, EBADF);
	cr_assert_str_eq(refusal.why, "first");
}
