/* text: the small string helpers every frontend's words go through. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/un.h>

#include "text.h"

static const char *ipv4(const char *host, unsigned port, char *out, size_t size)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	cr_assert_eq(inet_pton(AF_INET, host, &in.sin_addr), 1);
	return text_address((const struct sockaddr *)&in, sizeof in, out, size);
}

Test(text_address, writes_ipv4_as_dotted_quad_and_port)
{
	char out[TEXT_ADDRESS_MAX];
	cr_assert_str_eq(ipv4("127.0.0.1", 65432, out, sizeof out), "127.0.0.1:65432");
	cr_assert_str_eq(ipv4("255.255.255.255", 65535, out, sizeof out), "255.255.255.255:65535");
	cr_assert_str_eq(ipv4("10.0.0.1", 0, out, sizeof out), "10.0.0.1:0");
	cr_assert_str_eq(ipv4("0.0.0.0", 80, out, sizeof out), "0.0.0.0:80");
	/* No address and no port: a listener's peer. */
	cr_assert_str_eq(ipv4("0.0.0.0", 0, out, sizeof out), "*");
}

Test(text_address, cuts_to_the_room_it_is_given)
{
	char small[8];
	cr_assert_str_eq(ipv4("192.168.100.200", 40000, small, sizeof small), "192.168");
}

Test(text_address, writes_ipv6_in_brackets)
{
	char out[TEXT_ADDRESS_MAX];
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons(65432), .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	cr_assert_str_eq(text_address((const struct sockaddr *)&in6, sizeof in6, out, sizeof out), "[::1]:65432");
}

Test(text_copy, copies_cuts_and_always_ends_the_string)
{
	char out[6];
	cr_assert_str_eq(text_copy(out, sizeof out, "conn"), "conn");
	cr_assert_str_eq(text_copy(out, sizeof out, "a longer name"), "a lon");
	cr_assert_str_eq(text_copy(out, sizeof out, ""), "");
}

Test(text_keep_tail, keeps_the_last_bytes_that_fit)
{
	char tail[8];
	size_t used = 0;
	text_keep_tail(tail, sizeof tail, &used, "abc", 3);
	cr_assert_str_eq(tail, "abc");
	text_keep_tail(tail, sizeof tail, &used, "defgh", 5);
	cr_assert_str_eq(tail, "bcdefgh");
	cr_assert_eq(used, 7);
	text_keep_tail(tail, sizeof tail, &used, "0123456789", 10);
	cr_assert_str_eq(tail, "3456789");
}
