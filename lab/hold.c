/* hold — TCP segments on lo held in an nfnetlink queue (see hold.h).
 *
 * Three parts, each over its own netlink socket or file:
 *   the rule    nf_tables messages built with libnftnl, sent as one batch;
 *   the queue   nfnetlink_queue messages built with libnetfilter_queue;
 *   the count   IP's InDelivers (/proc/net/snmp, snmp6), to know TCP has
 *               taken a released segment in and answered it.
 * Between them sit the decoder (IP + TCP headers into a held_segment) and a
 * small table of connections, to tell client from server and to number
 * sequences from each end's ISN.
 */
#include "hold.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_NFQUEUE.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>

#include "address.h"
#include "packet_flags.h"

#define HOLD_LENGTH(array) (sizeof (array) / sizeof (array)[0])

#define HOLD_TABLE "socklab_hold"
#define HOLD_CHAIN "output"
/* Connections remembered for numbering; the lab has a handful. */
#define HOLD_FLOWS 16
/* One nf_tables transaction (table, chain, rule: about 450 bytes), or
 * the kernel's answers to one. */
#define HOLD_BATCH_SIZE 4096
/* One request to the queue (a verdict, a command): headers and an attribute. */
#define HOLD_REQUEST_SIZE 128
/* One nfnetlink_queue message: headers, attributes, HOLD_COPY_BYTES. */
#define HOLD_RECEIVE_SIZE 16384
/* The kernel acknowledges a netlink request before sendmsg() returns;
 * this bounds the wait should it ever not. */
#define HOLD_ACK_LIMIT_MS 1000
/* hold_settle rereads IP's delivered count this often while it waits. */
#define HOLD_SETTLE_SLICE_MS 1
/* hold_close's rounds of "read, accept all": one normally, a second for
 * a segment that was inside the hook as the rule went. */
#define HOLD_CLOSE_ROUNDS 4
/* The held array's first size; it doubles as needed (the kernel itself
 * holds at most 1024 per queue, its default queue_maxlen). */
#define HOLD_INITIAL_CAPACITY 16
/* The queue socket's receive buffer: each queued message takes about
 * 1 KiB of it (its skb's true size); the kernel caps the request at
 * net.core.rmem_max. A message that does not fit is lost and its packet
 * dropped: TCP sends it again. */
#define HOLD_SOCKET_BUFFER (1 << 20)

enum {
	TCP_FIN = 0x01,
	TCP_SYN = 0x02,
	TCP_RST = 0x04,
	TCP_PSH = 0x08,
	TCP_ACK = 0x10,
	TCP_URG = 0x20,
	TCP_ECE = 0x40,
	TCP_CWR = 0x80,
};

/* The expressions that can end the rule, best first. Each adds one
 * expression to the rule; the next is tried when the kernel does not know
 * the previous one (ENOENT from nf_tables for an unknown expression). */
static int hold_add_nft_queue(struct nftnl_rule *rule);
static int hold_add_xt_nfqueue(struct nftnl_rule *rule);

static const struct hold_verdict_expression {
	const char *mechanism;          /* for hold_mechanism and the report */
	int (*add)(struct nftnl_rule *rule);
} hold_verdict_expressions[] = {
	{ "nft queue", hold_add_nft_queue },
	{ "xt NFQUEUE (nft_compat)", hold_add_xt_nfqueue },
};

/* One end of a connection, as the held segments tell it. */
struct hold_flow_end {
	unsigned char address[16];      /* IPv4 in the first 4 bytes */
	uint16_t port;                  /* host order */
	bool base_known;
	uint32_t base;                  /* raw seq that reads as 0: the ISN, or seq - 1 when
	                                   the end was first seen without its SYN */
	bool sent_known;
	uint32_t sent_end;              /* raw seq just past the highest byte (SYN and FIN
	                                   count one) sent so far */
};

struct hold_flow {
	bool used;
	int family;
	int client_end;                 /* 0 or 1: which end sent the first SYN; -1 unknown */
	struct hold_flow_end end[2];
	uint64_t last_used;             /* hold->flow_clock at the last segment */
};

/* IP's count of packets it handed to their protocol, per family: the
 * kernel counts one after the protocol's receive function returned, so
 * after TCP took the segment in and sent whatever it answered at once. */
static const struct hold_delivered_counter {
	int family;
	const char *path;
	const char *name;
	bool name_line;                 /* /proc/net/snmp: a line of names
	                                   ("Ip: ... InDelivers ..."), then one of values;
	                                   /proc/net/snmp6: "Ip6InDelivers  42" lines */
} hold_delivered_counters[] = {
	{ AF_INET, "/proc/net/snmp", "InDelivers", true },
	{ AF_INET6, "/proc/net/snmp6", "Ip6InDelivers", false },
};
#define HOLD_FAMILIES HOLD_LENGTH(hold_delivered_counters)

struct hold_delivered {
	int fd;                         /* the counter's file in this namespace; -1 if unreadable */
	bool awaited;                   /* released segments of this family are on their way */
	uint64_t expected;              /* the count once every one of them was taken in */
};

struct hold {
	bool closed;
	struct mnl_socket *queue_socket;        /* NETLINK_NETFILTER */
	bool queue_bound;                       /* it is HOLD_QUEUE_NUMBER's reader */
	uint32_t queue_sequence;                /* of our last request on it */
	struct mnl_socket *rule_socket;         /* NETLINK_NETFILTER, owns the table */
	uint32_t rule_sequence;
	const struct hold_verdict_expression *expression;
	struct hold_delivered delivered[HOLD_FAMILIES];  /* what hold_settle waits
	                                                    for, per family */
	struct held_segment *segments;          /* oldest first */
	size_t count;
	size_t capacity;
	struct hold_flow flows[HOLD_FLOWS];
	uint64_t flow_clock;
	char buffer[HOLD_RECEIVE_SIZE];
};

/* ---- small helpers ------------------------------------------------------ */

static int64_t
hold_now_us(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
}

static uint16_t
hold_read16(const unsigned char *bytes)
{
	return (uint16_t)(bytes[0] << 8 | bytes[1]);
}

static uint32_t
hold_read32(const unsigned char *bytes)
{
	return (uint32_t)bytes[0] << 24 | (uint32_t)bytes[1] << 16 | (uint32_t)bytes[2] << 8
		| bytes[3];
}

/* Waits until fd is readable or timeout_ms passed. Returns 1, 0 or -1. */
static int
hold_poll(int fd, int timeout_ms)
{
	struct pollfd entry = { .fd = fd, .events = POLLIN };
	int ready = poll(&entry, 1, timeout_ms);
	if (ready == -1 && errno == EINTR)
		return 0;
	return ready;
}

/* ---- the namespace ------------------------------------------------------ */

/* The rule holds every TCP segment on lo of this namespace: in the lab's
 * own namespace only the lab's, on the host everybody's. A namespace with
 * any other interface is taken for the host's. */
static int
hold_check_namespace(char **err)
{
	struct if_nameindex *interfaces = if_nameindex();
	if (interfaces == NULL)
		return text_error(err, "holding segments: cannot list network interfaces: %s",
				  strerror(errno));
	int result = 0;
	for (struct if_nameindex *at = interfaces; at->if_index != 0; at++) {
		if (strcmp(at->if_name, "lo") != 0) {
			result = text_error(
				err,
				"holding segments needs the lab's private network namespace: this "
				"one also has %s, so other programs' TCP on lo would be held too",
				at->if_name);
			break;
		}
	}
	if_freenameindex(interfaces);
	return result;
}

/* ---- the rule ----------------------------------------------------------- */

static int
hold_add_expression(struct nftnl_rule *rule, struct nftnl_expr *expression)
{
	if (expression == NULL)
		return -1;
	nftnl_rule_add_expr(rule, expression);
	return 0;
}

/* meta KEY -> register 1; register 1 == value */
static int
hold_add_meta_equals(struct nftnl_rule *rule, uint32_t key, const void *value, uint32_t length)
{
	struct nftnl_expr *meta = nftnl_expr_alloc("meta");
	if (hold_add_expression(rule, meta) == -1)
		return -1;
	nftnl_expr_set_u32(meta, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(meta, NFTNL_EXPR_META_DREG, NFT_REG_1);

	struct nftnl_expr *compare = nftnl_expr_alloc("cmp");
	if (hold_add_expression(rule, compare) == -1)
		return -1;
	nftnl_expr_set_u32(compare, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(compare, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	nftnl_expr_set(compare, NFTNL_EXPR_CMP_DATA, value, length);
	return 0;
}

static int
hold_add_nft_queue(struct nftnl_rule *rule)
{
	struct nftnl_expr *queue = nftnl_expr_alloc("queue");
	if (hold_add_expression(rule, queue) == -1)
		return -1;
	nftnl_expr_set_u16(queue, NFTNL_EXPR_QUEUE_NUM, HOLD_QUEUE_NUMBER);
	nftnl_expr_set_u16(queue, NFTNL_EXPR_QUEUE_TOTAL, 1);
	nftnl_expr_set_u16(queue, NFTNL_EXPR_QUEUE_FLAGS, NFT_QUEUE_FLAG_BYPASS);
	return 0;
}

/* The xtables target, revision 3, run by nft_compat. Its info is padded
 * to XT_ALIGN as the kernel expects; libnftnl takes the buffer over. */
static int
hold_add_xt_nfqueue(struct nftnl_rule *rule)
{
	const size_t size = XT_ALIGN(sizeof(struct xt_NFQ_info_v3));
	struct xt_NFQ_info_v3 *info = calloc(1, size);
	if (info == NULL)
		return -1;
	info->queuenum = HOLD_QUEUE_NUMBER;
	info->queues_total = 1;
	info->flags = NFQ_FLAG_BYPASS;
	struct nftnl_expr *target = nftnl_expr_alloc("target");
	if (hold_add_expression(rule, target) == -1) {
		free(info);
		return -1;
	}
	nftnl_expr_set_str(target, NFTNL_EXPR_TG_NAME, "NFQUEUE");
	nftnl_expr_set_u32(target, NFTNL_EXPR_TG_REV, 3);
	nftnl_expr_set(target, NFTNL_EXPR_TG_INFO, info, (uint32_t)size);
	return 0;
}

/* The three objects of the transaction, built with libnftnl. */
struct hold_rule_objects {
	struct nftnl_table *table;
	struct nftnl_chain *chain;
	struct nftnl_rule *rule;
};

static void
hold_rule_objects_free(struct hold_rule_objects *objects)
{
	if (objects->table != NULL)
		nftnl_table_free(objects->table);
	if (objects->chain != NULL)
		nftnl_chain_free(objects->chain);
	if (objects->rule != NULL)
		nftnl_rule_free(objects->rule);
}

static int
hold_rule_objects_build(struct hold_rule_objects *objects,
			const struct hold_verdict_expression *expression)
{
	*objects = (struct hold_rule_objects){ 0 };
	objects->table = nftnl_table_alloc();
	objects->chain = nftnl_chain_alloc();
	objects->rule = nftnl_rule_alloc();
	if (objects->table == NULL || objects->chain == NULL || objects->rule == NULL)
		return -1;

	nftnl_table_set_str(objects->table, NFTNL_TABLE_NAME, HOLD_TABLE);
	nftnl_table_set_u32(objects->table, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	/* Owned by this socket: only it may change the table, and the
	 * kernel deletes the table when the socket goes. */
	nftnl_table_set_u32(objects->table, NFTNL_TABLE_FLAGS, NFT_TABLE_F_OWNER);

	nftnl_chain_set_str(objects->chain, NFTNL_CHAIN_TABLE, HOLD_TABLE);
	nftnl_chain_set_str(objects->chain, NFTNL_CHAIN_NAME, HOLD_CHAIN);
	nftnl_chain_set_str(objects->chain, NFTNL_CHAIN_TYPE, "filter");
	nftnl_chain_set_u32(objects->chain, NFTNL_CHAIN_HOOKNUM, NF_INET_LOCAL_OUT);
	nftnl_chain_set_s32(objects->chain, NFTNL_CHAIN_PRIO, 0);
	nftnl_chain_set_u32(objects->chain, NFTNL_CHAIN_POLICY, NF_ACCEPT);

	nftnl_rule_set_str(objects->rule, NFTNL_RULE_TABLE, HOLD_TABLE);
	nftnl_rule_set_str(objects->rule, NFTNL_RULE_CHAIN, HOLD_CHAIN);
	nftnl_rule_set_u32(objects->rule, NFTNL_RULE_FAMILY, NFPROTO_INET);
	/* lo is interface 1 in every namespace; asked all the same. */
	uint32_t loopback = if_nametoindex("lo");
	uint8_t tcp = IPPROTO_TCP;
	if (loopback == 0
	    || hold_add_meta_equals(objects->rule, NFT_META_OIF, &loopback, sizeof loopback) == -1
	    || hold_add_meta_equals(objects->rule, NFT_META_L4PROTO, &tcp, sizeof tcp) == -1
	    || expression->add(objects->rule) == -1)
		return -1;
	return 0;
}

/* The answers to one nf_tables transaction: one per message (each is
 * sent with NLM_F_ACK), and the error of the first that failed. */
struct hold_batch_result {
	unsigned answered;
	int error;                      /* errno of the first message that failed, 0 if none */
	uint32_t failed_sequence;
};

/* A transaction in `buffer`: the batch-begin message, then the caller's
 * (hold_batch_message, fill it, mnl_nlmsg_batch_next), then
 * hold_batch_commit. NULL when out of memory. */
static struct mnl_nlmsg_batch *
hold_batch_begin(struct hold *hold, char *buffer, size_t size)
{
	struct mnl_nlmsg_batch *batch = mnl_nlmsg_batch_start(buffer, size);
	if (batch == NULL)
		return NULL;
	nftnl_batch_begin(mnl_nlmsg_batch_current(batch), ++hold->rule_sequence);
	mnl_nlmsg_batch_next(batch);
	return batch;
}

static struct nlmsghdr *
hold_batch_message(struct hold *hold, struct mnl_nlmsg_batch *batch, uint16_t type, uint16_t flags)
{
	return nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(batch), type, NFPROTO_INET,
				     flags | NLM_F_ACK, ++hold->rule_sequence);
}

/* Ends the transaction, sends it, reads its `messages` answers and frees
 * the batch. Returns 0 (see result->error), or -1 with errno when netlink
 * itself failed. */
static int
hold_batch_commit(struct hold *hold, struct mnl_nlmsg_batch *batch, unsigned messages,
		  struct hold_batch_result *result)
{
	*result = (struct hold_batch_result){ 0 };
	nftnl_batch_end(mnl_nlmsg_batch_current(batch), ++hold->rule_sequence);
	mnl_nlmsg_batch_next(batch);
	ssize_t sent = mnl_socket_sendto(hold->rule_socket, mnl_nlmsg_batch_head(batch),
					 mnl_nlmsg_batch_size(batch));
	mnl_nlmsg_batch_stop(batch);
	if (sent < 0)
		return -1;
	int fd = mnl_socket_get_fd(hold->rule_socket);
	char reply[HOLD_BATCH_SIZE];
	while (result->answered < messages) {
		if (hold_poll(fd, HOLD_ACK_LIMIT_MS) <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		ssize_t got = recv(fd, reply, sizeof reply, MSG_DONTWAIT);
		if (got < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -1;
		}
		int left = (int)got;
		for (const struct nlmsghdr *message = (const struct nlmsghdr *)reply;
		     mnl_nlmsg_ok(message, left); message = mnl_nlmsg_next(message, &left)) {
			if (message->nlmsg_type != NLMSG_ERROR
			    || message->nlmsg_len < mnl_nlmsg_size(sizeof(struct nlmsgerr)))
				continue;
			const struct nlmsgerr *answer = mnl_nlmsg_get_payload(message);
			result->answered++;
			bool first_failure =
				result->error == 0 || message->nlmsg_seq < result->failed_sequence;
			if (answer->error != 0 && first_failure) {
				result->error = -answer->error;
				result->failed_sequence = message->nlmsg_seq;
			}
		}
	}
	return 0;
}

/* Which message of hold_rule_install's transaction failed. */
enum hold_rule_step { HOLD_STEP_TABLE, HOLD_STEP_CHAIN, HOLD_STEP_RULE, HOLD_STEP_COUNT };

/* Adds table, chain and rule in one transaction, ending the rule with
 * `expression`. Returns 0, or -1 with *error set to the errno and
 * *failed_step to the message that failed (HOLD_STEP_COUNT: none of them,
 * netlink itself or memory). */
static int
hold_rule_install(struct hold *hold, const struct hold_verdict_expression *expression,
		  enum hold_rule_step *failed_step, int *error)
{
	char buffer[HOLD_BATCH_SIZE] = { 0 };     /* padding goes out as zeros */
	struct hold_rule_objects objects;
	*error = ENOMEM;
	*failed_step = HOLD_STEP_COUNT;
	struct mnl_nlmsg_batch *batch = NULL;
	if (hold_rule_objects_build(&objects, expression) == -1
	    || (batch = hold_batch_begin(hold, buffer, sizeof buffer)) == NULL) {
		hold_rule_objects_free(&objects);
		return -1;
	}
	uint32_t table_sequence = hold->rule_sequence + 1;
	nftnl_table_nlmsg_build_payload(hold_batch_message(hold, batch, NFT_MSG_NEWTABLE,
							   NLM_F_CREATE | NLM_F_EXCL),
					objects.table);
	mnl_nlmsg_batch_next(batch);
	nftnl_chain_nlmsg_build_payload(hold_batch_message(hold, batch, NFT_MSG_NEWCHAIN,
							   NLM_F_CREATE),
					objects.chain);
	mnl_nlmsg_batch_next(batch);
	nftnl_rule_nlmsg_build_payload(hold_batch_message(hold, batch, NFT_MSG_NEWRULE,
							  NLM_F_CREATE | NLM_F_APPEND),
				       objects.rule);
	mnl_nlmsg_batch_next(batch);

	struct hold_batch_result result;
	int committed = hold_batch_commit(hold, batch, HOLD_STEP_COUNT, &result);
	hold_rule_objects_free(&objects);
	if (committed == -1) {
		*error = errno;
		return -1;
	}
	if (result.error == 0)
		return 0;
	*error = result.error;
	uint32_t step = result.failed_sequence - table_sequence;
	*failed_step = step < HOLD_STEP_COUNT ? (enum hold_rule_step)step : HOLD_STEP_COUNT;
	return -1;
}

/* Deletes the table with everything in it (`rule_only`: the rule alone,
 * keeping the chain and so its hook; see hold_close). Returns 0 or the errno. */
static int
hold_rule_remove(struct hold *hold, bool rule_only)
{
	char buffer[HOLD_BATCH_SIZE] = { 0 };     /* padding goes out as zeros */
	struct nftnl_table *table = nftnl_table_alloc();
	struct nftnl_rule *rule = nftnl_rule_alloc();
	struct mnl_nlmsg_batch *batch = NULL;
	if (table == NULL || rule == NULL
	    || (batch = hold_batch_begin(hold, buffer, sizeof buffer)) == NULL) {
		if (table != NULL)
			nftnl_table_free(table);
		if (rule != NULL)
			nftnl_rule_free(rule);
		return ENOMEM;
	}
	if (rule_only) {
		/* A DELRULE without a handle deletes every rule of the chain. */
		nftnl_rule_set_str(rule, NFTNL_RULE_TABLE, HOLD_TABLE);
		nftnl_rule_set_str(rule, NFTNL_RULE_CHAIN, HOLD_CHAIN);
		nftnl_rule_set_u32(rule, NFTNL_RULE_FAMILY, NFPROTO_INET);
		nftnl_rule_nlmsg_build_payload(hold_batch_message(hold, batch, NFT_MSG_DELRULE, 0),
					       rule);
	} else {
		nftnl_table_set_str(table, NFTNL_TABLE_NAME, HOLD_TABLE);
		nftnl_table_set_u32(table, NFTNL_TABLE_FAMILY, NFPROTO_INET);
		nftnl_table_nlmsg_build_payload(hold_batch_message(hold, batch, NFT_MSG_DELTABLE,
								   0),
						table);
	}
	mnl_nlmsg_batch_next(batch);
	struct hold_batch_result result;
	int committed = hold_batch_commit(hold, batch, 1, &result);
	nftnl_table_free(table);
	nftnl_rule_free(rule);
	return committed == -1 ? errno : result.error;
}

/* Why the rule could not go in, for a student. */
static int
hold_rule_error(char **err, enum hold_rule_step step, int error)
{
	if (error == EPERM || error == EACCES)
		return text_error(err,
				  "holding segments needs the lab's private network namespace or "
				  "CAP_NET_ADMIN: the kernel refused a filter rule (%s)",
				  strerror(error));
	if (step == HOLD_STEP_TABLE && error == EEXIST)
		return text_error(
			err,
			"holding segments: another hold is already open in this network namespace");
	if (step == HOLD_STEP_RULE && (error == ENOENT || error == EOPNOTSUPP))
		return text_error(err,
				  HOLD_UNSUPPORTED_PREFIX
				  ": it has neither nft's queue expression (CONFIG_NFT_QUEUE) nor "
				  "the xtables NFQUEUE target (CONFIG_NFT_COMPAT, "
				  "CONFIG_NETFILTER_XT_TARGET_NFQUEUE)");
	if (error == EOPNOTSUPP || error == EAFNOSUPPORT || error == EPROTONOSUPPORT
	    || error == ENOENT)
		return text_error(err, HOLD_UNSUPPORTED_PREFIX ": no nf_tables for IPv4 and IPv6 "
				  "(CONFIG_NF_TABLES_INET): %s", strerror(error));
	static const char *const step_names[] = {
		[HOLD_STEP_TABLE] = "table", [HOLD_STEP_CHAIN] = "chain", [HOLD_STEP_RULE] = "rule",
		[HOLD_STEP_COUNT] = "transaction",
	};
	return text_error(err, "holding segments: the kernel refused the filter %s: %s",
			  step_names[step], strerror(error));
}

/* Opens the rule socket and installs the rule with the best verdict
 * expression the kernel has. Returns 0, or -1 with *err. */
static int
hold_rule_open(struct hold *hold, char **err)
{
	hold->rule_socket = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (hold->rule_socket == NULL)
		return text_error(err,
				  HOLD_UNSUPPORTED_PREFIX
				  ": no netfilter netlink (CONFIG_NETFILTER_NETLINK): %s",
				  strerror(errno));
	if (mnl_socket_bind(hold->rule_socket, 0, MNL_SOCKET_AUTOPID) == -1)
		return text_error(err, "holding segments: netlink bind: %s", strerror(errno));

	enum hold_rule_step step = HOLD_STEP_COUNT;
	int error = 0;
	for (size_t i = 0; i < HOLD_LENGTH(hold_verdict_expressions); i++) {
		if (hold_rule_install(hold, &hold_verdict_expressions[i], &step, &error) == 0) {
			hold->expression = &hold_verdict_expressions[i];
			return 0;
		}
		/* Only an unknown expression is worth another try: the
		 * whole transaction was undone, nothing is left to remove. */
		if (step != HOLD_STEP_RULE || (error != ENOENT && error != EOPNOTSUPP))
			break;
	}
	if (error == ENOMEM && step == HOLD_STEP_COUNT)
		return text_error(err, "holding segments: out of memory");
	return hold_rule_error(err, step, error);
}

/* ---- the decoder -------------------------------------------------------- */

static void
hold_fill_address(struct sockaddr_storage *out, int family, const unsigned char *address,
		  uint16_t port)
{
	memset(out, 0, sizeof *out);
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)out;
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		memcpy(&in->sin_addr, address, 4);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		memcpy(&in6->sin6_addr, address, 16);
	}
}

/* The addresses and ports of a decoded segment, raw, for the connections. */
struct hold_headers {
	const unsigned char *source;    /* 4 or 16 bytes, inside the packet */
	const unsigned char *destination;
	uint16_t source_port;           /* host order */
	uint16_t destination_port;
};

/* Reads the headers of one IP packet as the queue copied it (`copied`
 * bytes, the rest cut) into the segment and *headers; reads no byte past
 * `copied`. Returns false when the headers are cut or the packet is not
 * TCP: the segment is held all the same. */

static bool
hold_decode(const unsigned char *packet, size_t copied, struct held_segment *out,
	    struct hold_headers *headers)
{
	size_t ip_header, ip_total;
	uint8_t protocol;

	if (copied < 1)
		return false;
	switch (packet[0] >> 4) {
	case 4:
		ip_header = (size_t)(packet[0] & 0x0f) * 4;
		if (copied < 20 || ip_header < 20 || copied < ip_header)
			return false;
		if (hold_read16(packet + 6) & 0x1fff)       /* a later fragment: no TCP header */
			return false;
		ip_total = hold_read16(packet + 2);
		protocol = packet[9];
		headers->source = packet + 12;
		headers->destination = packet + 16;
		out->family = AF_INET;
		break;
	case 6:
		/* The kernel's TCP sends no extension headers: TCP follows. */
		ip_header = 40;
		if (copied < ip_header)
			return false;
		ip_total = ip_header + hold_read16(packet + 4);
		protocol = packet[6];
		headers->source = packet + 8;
		headers->destination = packet + 24;
		out->family = AF_INET6;
		break;
	default:
		return false;
	}
	const unsigned char *tcp = packet + ip_header;
	if (protocol != IPPROTO_TCP || copied < ip_header + 20)
		return false;
	size_t tcp_header = (size_t)(tcp[12] >> 4) * 4;
	if (tcp_header < 20 || ip_total < ip_header + tcp_header)
		return false;

	headers->source_port = hold_read16(tcp);
	headers->destination_port = hold_read16(tcp + 2);
	out->raw_seq = hold_read32(tcp + 4);
	out->raw_ack = hold_read32(tcp + 8);
	out->flag_bits = tcp[13];
	out->payload_length = (uint32_t)(ip_total - ip_header - tcp_header);
	packet_flags_text(IPPROTO_TCP, out->flag_bits, out->flags, sizeof out->flags);
	hold_fill_address(&out->source, out->family, headers->source, headers->source_port);
	hold_fill_address(&out->destination, out->family, headers->destination,
			  headers->destination_port);
	socklen_t length =
		out->family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	lab_address_from_sockaddr((const struct sockaddr *)&out->source, length,
				  &out->source_address);
	lab_address_from_sockaddr((const struct sockaddr *)&out->destination, length,
				  &out->destination_address);
	return true;
}

/* ---- connections -------------------------------------------------------- */

static bool
hold_end_is(const struct hold_flow_end *end, const unsigned char *address, size_t address_length,
	    uint16_t port)
{
	return end->port == port && memcmp(end->address, address, address_length) == 0;
}

static void
hold_end_forget(struct hold_flow_end *end)
{
	end->base_known = false;
	end->sent_known = false;
}

/* The connection a segment belongs to, made if new (taking the least
 * recently used room when all are taken); *direction says which end sent
 * it (0 or 1). */
static struct hold_flow *
hold_flow_find(struct hold *hold, const struct held_segment *segment,
	       const struct hold_headers *headers, int *direction)
{
	size_t address_length = segment->family == AF_INET ? 4 : 16;
	struct hold_flow *room = &hold->flows[0];
	for (size_t i = 0; i < HOLD_FLOWS; i++) {
		struct hold_flow *flow = &hold->flows[i];
		if (!flow->used) {
			if (room->used)
				room = flow;
			continue;
		}
		if (room->used && flow->last_used < room->last_used)
			room = flow;
		if (flow->family != segment->family)
			continue;
		for (int end = 0; end < 2; end++) {
			if (hold_end_is(&flow->end[end], headers->source, address_length,
					headers->source_port)
			    && hold_end_is(&flow->end[!end], headers->destination, address_length,
					   headers->destination_port)) {
				*direction = end;
				return flow;
			}
		}
	}
	*room = (struct hold_flow){ .used = true, .family = segment->family, .client_end = -1 };
	memcpy(room->end[0].address, headers->source, address_length);
	room->end[0].port = headers->source_port;
	memcpy(room->end[1].address, headers->destination, address_length);
	room->end[1].port = headers->destination_port;
	*direction = 0;
	return room;
}

/* Numbers the segment from its ends' ISNs (a SYN reads 0; an end first
 * seen without its SYN starts at 1, as Wireshark does), tells its
 * direction, and marks it a retransmission when it covers no sequence
 * number its sender had not sent before. */
static void
hold_flow_number(struct hold *hold, struct held_segment *segment,
		 const struct hold_headers *headers)
{
	int direction;
	struct hold_flow *flow = hold_flow_find(hold, segment, headers, &direction);
	struct hold_flow_end *sender = &flow->end[direction];
	struct hold_flow_end *receiver = &flow->end[!direction];
	bool syn = segment->flag_bits & TCP_SYN;
	bool ack = segment->flag_bits & TCP_ACK;

	flow->last_used = ++hold->flow_clock;
	/* A SYN with another ISN: a new connection on the same ports. */
	if (syn && sender->base_known && segment->raw_seq != sender->base) {
		hold_end_forget(sender);
		if (!ack) {
			hold_end_forget(receiver);
			flow->client_end = -1;
		}
	}
	if (syn && flow->client_end < 0)
		flow->client_end = ack ? !direction : direction;
	if (!sender->base_known) {
		sender->base = syn ? segment->raw_seq : segment->raw_seq - 1;
		sender->base_known = true;
	}
	if (ack && !receiver->base_known) {
		receiver->base = segment->raw_ack - 1;
		receiver->base_known = true;
	}
	segment->seq = segment->raw_seq - sender->base;
	segment->ack = ack ? segment->raw_ack - receiver->base : 0;

	uint32_t length =
		segment->payload_length + (syn ? 1 : 0) + (segment->flag_bits & TCP_FIN ? 1 : 0);
	uint32_t end = segment->raw_seq + length;
	if (length > 0) {
		if (sender->sent_known && (int32_t)(end - sender->sent_end) <= 0) {
			segment->retransmission = true;
		} else {
			sender->sent_end = end;
			sender->sent_known = true;
		}
	}
	if (flow->client_end < 0)
		segment->direction = HOLD_DIRECTION_UNKNOWN;
	else
		segment->direction = direction == flow->client_end ? HOLD_CLIENT_TO_SERVER
								   : HOLD_SERVER_TO_CLIENT;
}

/* ---- IP's count of packets delivered ----------------------------------- */

/* The line after the one at `line`, or NULL. */
static const char *
hold_next_line(const char *line)
{
	const char *end = strchr(line, '\n');
	return end != NULL ? end + 1 : NULL;
}

/* The n-th word of a line of words split by single spaces, or NULL. */
static const char *
hold_nth_word(const char *line, size_t n)
{
	for (; n > 0; n--) {
		line += strcspn(line, " \n");
		if (*line != ' ')
			return NULL;
		line++;
	}
	return line;
}

/* Reads one counter of a /proc/net/snmp-style file. Returns 0, or -1. */
static int
hold_counter_read(const struct hold_delivered_counter *counter, int fd, uint64_t *value)
{
	char text[8192];
	ssize_t length = pread(fd, text, sizeof text - 1, 0);
	if (length <= 0)
		return -1;
	text[length] = '\0';
	size_t name_length = strlen(counter->name);
	const char *at = NULL;
	if (counter->name_line) {
		/* "Ip: Forwarding ... InDelivers ...\nIp: 1 ... 42 ...": the
		 * value is in the name's column of the next line. */
		const char *names = text;
		while (names != NULL && strncmp(names, "Ip: ", 4) != 0)
			names = hold_next_line(names);
		const char *values = names != NULL ? hold_next_line(names) : NULL;
		if (values == NULL)
			return -1;
		const char *word = names;
		for (size_t column = 0; word != NULL; column++, word = hold_nth_word(word, 1)) {
			bool found = strncmp(word, counter->name, name_length) == 0
				     && strchr(" \n", word[name_length]) != NULL;
			if (found) {
				at = hold_nth_word(values, column);
				break;
			}
		}
	} else {
		/* "Ip6InDelivers                   \t42" */
		for (const char *line = text; line != NULL && at == NULL;
		     line = hold_next_line(line))
			if (strncmp(line, counter->name, name_length) == 0
			    && strchr(" \t", line[name_length]) != NULL)
				at = line + name_length;
	}
	if (at == NULL)
		return -1;
	char *end;
	errno = 0;
	unsigned long long number = strtoull(at, &end, 10);
	if (end == at || errno != 0)
		return -1;
	*value = number;
	return 0;
}

static struct hold_delivered *
hold_delivered_of(struct hold *hold, int family, const struct hold_delivered_counter **counter)
{
	for (size_t i = 0; i < HOLD_FAMILIES; i++)
		if (hold_delivered_counters[i].family == family) {
			*counter = &hold_delivered_counters[i];
			return &hold->delivered[i];
		}
	return NULL;
}

/* Before a segment of `family` is released: one more delivery to wait for. */
static void
hold_expect_delivery(struct hold *hold, int family)
{
	const struct hold_delivered_counter *counter;
	struct hold_delivered *delivered = hold_delivered_of(hold, family, &counter);
	if (delivered == NULL || delivered->fd == -1)
		return;
	if (delivered->awaited) {
		delivered->expected++;
		return;
	}
	uint64_t now;
	if (hold_counter_read(counter, delivered->fd, &now) == -1)
		return;
	delivered->expected = now + 1;
	delivered->awaited = true;
}

/* Whether IP has delivered every released segment (to TCP, which has
 * answered by then). A count that cannot be read is taken as done: then
 * only the queue tells. */
static bool
hold_all_delivered(struct hold *hold)
{
	for (size_t i = 0; i < HOLD_FAMILIES; i++) {
		struct hold_delivered *delivered = &hold->delivered[i];
		uint64_t now;
		if (!delivered->awaited)
			continue;
		if (hold_counter_read(&hold_delivered_counters[i], delivered->fd, &now) == 0
		    && now < delivered->expected)
			return false;
		delivered->awaited = false;
	}
	return true;
}

static void
hold_forget_deliveries(struct hold *hold)
{
	for (size_t i = 0; i < HOLD_FAMILIES; i++)
		hold->delivered[i].awaited = false;
}

/* ---- the queue ---------------------------------------------------------- */

static int
hold_append(struct hold *hold, uint32_t id, const unsigned char *packet, size_t copied, char **err)
{
	if (hold->count == hold->capacity) {
		size_t capacity = hold->capacity ? hold->capacity * 2 : HOLD_INITIAL_CAPACITY;
		struct held_segment *grown = realloc(hold->segments, capacity * sizeof *grown);
		if (grown == NULL)
			return text_error(err, "holding segments: out of memory");
		hold->segments = grown;
		hold->capacity = capacity;
	}
	struct held_segment *segment = &hold->segments[hold->count++];
	*segment = (struct held_segment){ .id = id, .held_at_us = hold_now_us() };
	struct hold_headers headers;
	segment->decoded = hold_decode(packet, copied, segment, &headers);
	if (segment->decoded)
		hold_flow_number(hold, segment, &headers);
	else
		snprintf(segment->flags, sizeof segment->flags, "?");
	return 0;
}

/* One message from the queue socket: a queued packet, or the answer to
 * one of our requests. */
static int
hold_take_message(struct hold *hold, const struct nlmsghdr *message, uint32_t awaited,
		  bool *answered, int *answer_error, int *added, char **err)
{
	if (message->nlmsg_type == NLMSG_ERROR) {
		if (message->nlmsg_len < mnl_nlmsg_size(sizeof(struct nlmsgerr)))
			return 0;
		const struct nlmsgerr *answer = mnl_nlmsg_get_payload(message);
		if (awaited != 0 && message->nlmsg_seq == awaited) {
			*answered = true;
			*answer_error = -answer->error;
		} else if (answer->error != 0) {
			/* An earlier request that was not waited for (hold_close's verdicts). */
			return text_error(err,
					  "holding segments: the kernel refused request %u: %s",
					  message->nlmsg_seq, strerror(-answer->error));
		}
		return 0;
	}
	if (message->nlmsg_type != ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET))
		return 0;
	struct nlattr *attributes[NFQA_MAX + 1] = { 0 };
	if (nfq_nlmsg_parse(message, attributes) < 0 || attributes[NFQA_PACKET_HDR] == NULL
	    || mnl_attr_get_payload_len(attributes[NFQA_PACKET_HDR])
		    < sizeof(struct nfqnl_msg_packet_hdr))
		return 0;
	const struct nfqnl_msg_packet_hdr *header =
		mnl_attr_get_payload(attributes[NFQA_PACKET_HDR]);
	const unsigned char *packet = NULL;
	size_t copied = 0;
	if (attributes[NFQA_PAYLOAD] != NULL) {
		packet = mnl_attr_get_payload(attributes[NFQA_PAYLOAD]);
		copied = mnl_attr_get_payload_len(attributes[NFQA_PAYLOAD]);
	}
	if (hold_append(hold, ntohl(header->packet_id), packet, copied, err) == -1)
		return -1;
	(*added)++;
	return 0;
}

/* Reads what the queue socket holds, without waiting. With `awaited`
 * non-zero, stops once the answer to that request is read and reports it
 * in *answered / *answer_error. Returns the number of segments added, or -1. */
static int
hold_read(struct hold *hold, uint32_t awaited, bool *answered, int *answer_error, char **err)
{
	int fd = mnl_socket_get_fd(hold->queue_socket);
	int added = 0;
	while (awaited == 0 || !*answered) {
		ssize_t got = recv(fd, hold->buffer, sizeof hold->buffer, MSG_DONTWAIT);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			/* The socket overflowed: the kernel dropped the segments it
			 * could not tell us about, and TCP will send them again. */
			if (errno == ENOBUFS)
				continue;
			return text_error(err, "holding segments: reading the queue: %s",
					  strerror(errno));
		}
		int left = (int)got;
		for (const struct nlmsghdr *message = (const struct nlmsghdr *)hold->buffer;
		     mnl_nlmsg_ok(message, left); message = mnl_nlmsg_next(message, &left))
			if (hold_take_message(hold, message, awaited, answered, answer_error,
					      &added, err) == -1)
				return -1;
	}
	return added;
}

/* Sends one queue request with NLM_F_ACK and reads until its answer,
 * collecting queued packets on the way (they come before the answer when
 * the request itself caused them). Returns the segments added, or -1 with
 * *error set to the kernel's errno (0 for a local failure, with *err). */
static int
hold_queue_request(struct hold *hold, struct nlmsghdr *message, int *error, char **err)
{
	*error = 0;
	message->nlmsg_flags |= NLM_F_ACK;
	message->nlmsg_seq = ++hold->queue_sequence;
	if (hold->queue_sequence == 0)          /* 0 means "nothing awaited" */
		message->nlmsg_seq = ++hold->queue_sequence;
	if (mnl_socket_sendto(hold->queue_socket, message, message->nlmsg_len) < 0) {
		*error = errno;
		return text_error(err, "holding segments: writing to the queue: %s",
				  strerror(errno));
	}
	bool answered = false;
	int added = 0;
	int64_t deadline = hold_now_us() + HOLD_ACK_LIMIT_MS * 1000;
	for (;;) {
		int got = hold_read(hold, message->nlmsg_seq, &answered, error, err);
		if (got == -1)
			return -1;
		added += got;
		if (answered)
			break;
		int64_t left_ms = (deadline - hold_now_us()) / 1000;
		if (left_ms <= 0
		    || hold_poll(mnl_socket_get_fd(hold->queue_socket), (int)left_ms) == -1) {
			*error = ETIMEDOUT;
			return text_error(err, "holding segments: the kernel did not answer");
		}
	}
	if (*error != 0)
		return text_error(err, "holding segments: %s", strerror(*error));
	return added;
}

static int
hold_queue_command(struct hold *hold, uint8_t command, int *error, char **err)
{
	char buffer[HOLD_REQUEST_SIZE] = { 0 };
	struct nlmsghdr *message = nfq_nlmsg_put(buffer, NFQNL_MSG_CONFIG, HOLD_QUEUE_NUMBER);
	nfq_nlmsg_cfg_put_cmd(message, AF_UNSPEC, command);
	return hold_queue_request(hold, message, error, err);
}

/* Binds the queue and asks for HOLD_COPY_BYTES of each packet. */
static int
hold_queue_open(struct hold *hold, char **err)
{
	hold->queue_socket = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (hold->queue_socket == NULL)
		return text_error(err,
				  HOLD_UNSUPPORTED_PREFIX
				  ": no netfilter netlink (CONFIG_NETFILTER_NETLINK): %s",
				  strerror(errno));
	if (mnl_socket_bind(hold->queue_socket, 0, MNL_SOCKET_AUTOPID) == -1)
		return text_error(err, "holding segments: netlink bind: %s", strerror(errno));
	int fd = mnl_socket_get_fd(hold->queue_socket);
	int size = HOLD_SOCKET_BUFFER;
	/* a smaller buffer still works */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);

	int error;
	char *reason = NULL;
	if (hold_queue_command(hold, NFQNL_CFG_CMD_BIND, &error, &reason) == -1) {
		free(reason);
		reason = NULL;
		/* The kernel says EPERM both to a process without CAP_NET_ADMIN
		 * and when another socket holds the queue. PF_BIND is a no-op
		 * kept for old programs: the kernel answers it once it has
		 * checked the capability, so it tells the two apart. */
		if (error == EPERM
		    && hold_queue_command(hold, NFQNL_CFG_CMD_PF_BIND, &error, &reason) == 0)
			error = EBUSY;
		free(reason);
		if (error == EBUSY)
			return text_error(err,
					  "holding segments: queue %d is taken: another hold is "
					  "open in this network namespace",
					  HOLD_QUEUE_NUMBER);
		if (error == EPERM || error == EACCES)
			return text_error(
				err,
				"holding segments needs the lab's private network namespace or "
				"CAP_NET_ADMIN: the kernel refused the queue (%s)",
				strerror(error));
		return text_error(err, HOLD_UNSUPPORTED_PREFIX ": no nfnetlink_queue "
				  "(CONFIG_NETFILTER_NETLINK_QUEUE): %s", strerror(error));
	}

	hold->queue_bound = true;

	char buffer[HOLD_REQUEST_SIZE] = { 0 };
	struct nlmsghdr *message = nfq_nlmsg_put(buffer, NFQNL_MSG_CONFIG, HOLD_QUEUE_NUMBER);
	nfq_nlmsg_cfg_put_params(message, NFQNL_COPY_PACKET, HOLD_COPY_BYTES);
	if (hold_queue_request(hold, message, &error, &reason) == -1) {
		text_error(err, "holding segments: the queue refused copy mode: %s",
			   reason ? reason : "?");
		free(reason);
		return -1;
	}
	return 0;
}

/* Sends the verdict on the oldest held segment and forgets it. */
static int
hold_verdict(struct hold *hold, size_t index, int verdict, char **err)
{
	if (hold->closed)
		return text_error(err, "holding segments: the hold is closed");
	if (index >= hold->count)
		return text_error(err, "no segment is held");
	struct held_segment oldest = hold->segments[index];
	hold->count--;
	memmove(&hold->segments[index], &hold->segments[index + 1],
		(hold->count - index) * sizeof hold->segments[0]);
	struct hold_delivered before[HOLD_FAMILIES];
	memcpy(before, hold->delivered, sizeof before);
	if (verdict == NF_ACCEPT && oldest.decoded)
		hold_expect_delivery(hold, oldest.family);

	char buffer[HOLD_REQUEST_SIZE] = { 0 };
	struct nlmsghdr *message = nfq_nlmsg_put(buffer, NFQNL_MSG_VERDICT, HOLD_QUEUE_NUMBER);
	nfq_nlmsg_verdict_put(message, (int)oldest.id, verdict);
	int error;
	char *reason = NULL;
	if (hold_queue_request(hold, message, &error, &reason) == -1) {
		memcpy(hold->delivered, before, sizeof before);         /* nothing is on its way */
		if (error == ENOENT)
			text_error(err, "holding segments: the kernel no longer holds segment %u",
				   oldest.id);
		else
			text_error(err, "%s",
				   reason ? reason : "holding segments: the verdict failed");
		free(reason);
		return -1;
	}
	return 0;
}

/* ---- the API ------------------------------------------------------------ */

int
hold_open(struct hold **out, char **err)
{
	*out = NULL;
	if (hold_check_namespace(err) == -1)
		return -1;
	struct hold *hold = calloc(1, sizeof *hold);
	if (hold == NULL)
		return text_error(err, "holding segments: out of memory");
	for (size_t i = 0; i < HOLD_FAMILIES; i++)
		hold->delivered[i].fd = -1;

	/* The queue first: while the rule exists, someone is bound to it. */
	if (hold_queue_open(hold, err) == -1 || hold_rule_open(hold, err) == -1) {
		hold_free(hold);
		return -1;
	}
	/* /proc/net/ files show the namespace they were opened in. */
	for (size_t i = 0; i < HOLD_FAMILIES; i++) {
		uint64_t value;
		int fd = open(hold_delivered_counters[i].path, O_RDONLY | O_CLOEXEC);
		if (fd != -1 && hold_counter_read(&hold_delivered_counters[i], fd, &value) == -1) {
			close(fd);
			fd = -1;
		}
		hold->delivered[i].fd = fd;
	}
	int fd = mnl_socket_get_fd(hold->queue_socket);
	int flags = fcntl(fd, F_GETFL);
	if (flags == -1 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1) {
		text_error(err, "holding segments: fcntl: %s", strerror(errno));
		hold_free(hold);
		return -1;
	}
	*out = hold;
	return 0;
}

/* Accepts every segment the queue holds, those not read yet included,
 * until a read finds none: the rule is gone, so nothing new comes but
 * what was on its way through the hook when it went. */
static void
hold_accept_everything(struct hold *hold)
{
	char buffer[HOLD_REQUEST_SIZE] = { 0 };
	for (int round = 0; round < HOLD_CLOSE_ROUNDS; round++) {
		bool answered = false;
		int error = 0;
		char *ignored = NULL;
		if (hold_read(hold, 0, &answered, &error, &ignored) == -1)
			free(ignored);
		if (hold->count == 0)
			return;
		for (size_t i = 0; i < hold->count; i++) {
			struct nlmsghdr *message =
				nfq_nlmsg_put(buffer, NFQNL_MSG_VERDICT, HOLD_QUEUE_NUMBER);
			nfq_nlmsg_verdict_put(message, (int)hold->segments[i].id, NF_ACCEPT);
			mnl_socket_sendto(hold->queue_socket, message, message->nlmsg_len);
		}
		hold->count = 0;
	}
}

void
hold_close(struct hold *hold)
{
	if (hold == NULL || hold->closed)
		return;
	hold->closed = true;
	/* Order matters. Removing a hook (the chain) makes the kernel drop
	 * every packet queued in the namespace (nf_queue_nf_hook_drop), and so
	 * does unbinding the queue: so the rule goes first (the chain stays),
	 * then everything held is accepted and what it causes passes freely,
	 * then the table and the queue go. */
	bool rule_in = hold->rule_socket != NULL && hold->expression != NULL;
	if (rule_in)
		hold_rule_remove(hold, true);
	if (hold->queue_bound)
		hold_accept_everything(hold);
	if (rule_in)
		hold_rule_remove(hold, false);
	if (hold->rule_socket != NULL) {
		/* The owner flag would remove the table with this socket, but
		 * a forked copy of the socket would keep it: hence the removal. */
		mnl_socket_close(hold->rule_socket);
		hold->rule_socket = NULL;
	}
	if (hold->queue_bound) {
		/* Explicit, as for the table: a forked copy of the socket would
		 * keep the queue bound, holding every segment for nobody. */
		char buffer[HOLD_REQUEST_SIZE] = { 0 };
		struct nlmsghdr *message =
			nfq_nlmsg_put(buffer, NFQNL_MSG_CONFIG, HOLD_QUEUE_NUMBER);
		nfq_nlmsg_cfg_put_cmd(message, AF_UNSPEC, NFQNL_CFG_CMD_UNBIND);
		mnl_socket_sendto(hold->queue_socket, message, message->nlmsg_len);
		hold->queue_bound = false;
	}
	if (hold->queue_socket != NULL) {
		mnl_socket_close(hold->queue_socket);
		hold->queue_socket = NULL;
	}
	for (size_t i = 0; i < HOLD_FAMILIES; i++) {
		if (hold->delivered[i].fd != -1)
			close(hold->delivered[i].fd);
		hold->delivered[i] = (struct hold_delivered){ .fd = -1 };
	}
}

void
hold_free(struct hold *hold)
{
	if (hold == NULL)
		return;
	hold_close(hold);
	free(hold->segments);
	free(hold);
}

int
hold_fd(const struct hold *hold)
{
	return hold->queue_socket != NULL ? mnl_socket_get_fd(hold->queue_socket) : -1;
}

const char *
hold_mechanism(const struct hold *hold)
{
	return hold->expression != NULL ? hold->expression->mechanism : "none";
}

int
hold_collect(struct hold *hold, char **err)
{
	if (hold->closed)
		return text_error(err, "holding segments: the hold is closed");
	bool answered = false;
	int error = 0;
	return hold_read(hold, 0, &answered, &error, err);
}

int
hold_settle(struct hold *hold, char **err)
{
	/* Usually done at once: the softirq that delivered a release ran
	 * before the verdict's sendmsg() returned, answer included. When the
	 * kernel deferred it (to ksoftirqd, or to another CPU by RPS), wait,
	 * in slices: when no answer comes, nothing wakes the fd. */
	int64_t deadline = hold_now_us() + HOLD_SETTLE_LIMIT_MS * 1000;
	int added = 0;
	for (;;) {
		/* IP counts a delivery after TCP queued its answer: the count
		 * first, then the queue. */
		bool delivered = hold_all_delivered(hold);
		int got = hold_collect(hold, err);
		if (got == -1)
			return -1;
		added += got;
		if (delivered)
			return added;
		int64_t left_ms = (deadline - hold_now_us() + 999) / 1000;
		if (left_ms <= 0) {
			/* Lost on the way (a full backlog): stop waiting for it. */
			hold_forget_deliveries(hold);
			return added;
		}
		hold_poll(hold_fd(hold),
			  left_ms < HOLD_SETTLE_SLICE_MS ? (int)left_ms : HOLD_SETTLE_SLICE_MS);
	}
}

int
hold_wait(struct hold *hold, int timeout_ms, char **err)
{
	int64_t deadline = hold_now_us() + (int64_t)timeout_ms * 1000;
	for (;;) {
		int added = hold_collect(hold, err);
		if (added != 0)
			return added;
		int64_t left_ms = (deadline - hold_now_us() + 999) / 1000;
		if (left_ms <= 0)
			return 0;
		if (hold_poll(hold_fd(hold), (int)left_ms) == -1)
			return text_error(err, "holding segments: poll: %s", strerror(errno));
	}
}

size_t
hold_count(const struct hold *hold)
{
	return hold->count;
}

const struct held_segment *
hold_peek(const struct hold *hold, size_t i)
{
	return i < hold->count ? &hold->segments[i] : NULL;
}

int
hold_release(struct hold *hold, char **err)
{
	return hold_verdict(hold, 0, NF_ACCEPT, err);
}

int
hold_drop(struct hold *hold, char **err)
{
	return hold_verdict(hold, 0, NF_DROP, err);
}

int
hold_release_at(struct hold *hold, size_t index, char **err)
{
	return hold_verdict(hold, index, NF_ACCEPT, err);
}

int
hold_drop_at(struct hold *hold, size_t index, char **err)
{
	return hold_verdict(hold, index, NF_DROP, err);
}

int
hold_release_all(struct hold *hold, char **err)
{
	size_t held = hold->count;
	for (size_t i = 0; i < held; i++)
		if (hold_verdict(hold, 0, NF_ACCEPT, err) == -1)
			return -1;
	return (int)held;
}
