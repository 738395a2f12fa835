// SPDX-License-Identifier: LGPL-2.1-or-later
/* The module's record of allocation profiles and segments, for tagctl. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/genl/genl.h>
#include "client.h"

static const struct nla_policy profile_policy[MEMTAG_PROFILE_A_MAX + 1] = {
	[MEMTAG_PROFILE_A_ID] = { .type = NLA_U64 },
	[MEMTAG_PROFILE_A_TGID] = { .type = NLA_U32 },
	[MEMTAG_PROFILE_A_UID] = { .type = NLA_U32 },
	[MEMTAG_PROFILE_A_COMM] = { .type = NLA_STRING },
	[MEMTAG_PROFILE_A_STARTED_NS] = { .type = NLA_U64 },
	[MEMTAG_PROFILE_A_EXITED_NS] = { .type = NLA_U64 },
	[MEMTAG_PROFILE_A_BINARY] = { .type = NLA_NESTED },
	[MEMTAG_PROFILE_A_BUCKET] = { .type = NLA_NESTED },
	[MEMTAG_PROFILE_A_BIN_INDEX] = { .type = NLA_U32 },
	[MEMTAG_PROFILE_A_BIN_PATH] = { .type = NLA_STRING },
	[MEMTAG_PROFILE_A_BIN_START] = { .type = NLA_U64 },
	[MEMTAG_PROFILE_A_BIN_END] = { .type = NLA_U64 },
	[MEMTAG_PROFILE_A_BIN_BIAS] = { .type = NLA_U64 },
	[MEMTAG_PROFILE_A_BUCKET_INDEX] = { .type = NLA_U32 },
	[MEMTAG_PROFILE_A_BUCKET_FLAGS] = { .type = NLA_U32 },
};

static const struct nla_policy segment_policy[MEMTAG_A_MAX + 1] = {
	[MEMTAG_A_SEGMENT_ID] = { .type = NLA_U32 },
	[MEMTAG_A_REGION_ID] = { .type = NLA_U32 },
	[MEMTAG_A_REGION_NAME] = { .type = NLA_STRING },
	[MEMTAG_A_REGION_TGID] = { .type = NLA_U32 },
	[MEMTAG_A_REGION_UID] = { .type = NLA_U32 },
	[MEMTAG_A_SEGMENT_STATE] = { .type = NLA_U32 },
	[MEMTAG_A_SEGMENT_ADDRESS] = { .type = NLA_U64 },
	[MEMTAG_A_SEGMENT_SIZE] = { .type = NLA_U64 },
	[MEMTAG_A_SEGMENT_REGION_OFFSET] = { .type = NLA_U64 },
};

/* Grow *array of *count items by one; the new item is zeroed. */
static void *append(void *array_ptr, size_t *count, size_t size)
{
	void **array = array_ptr;
	char *grown = realloc(*array, (*count + 1) * size);

	if (!grown)
		return NULL;
	*array = grown;
	memset(grown + *count * size, 0, size);
	return grown + (*count)++ * size;
}

static int parse_binary(struct memtag_profile *p, struct nlattr *nest)
{
	struct nlattr *tb[MEMTAG_PROFILE_A_MAX + 1];
	struct memtag_binary *b;
	int len;

	if (nla_parse_nested(tb, MEMTAG_PROFILE_A_MAX, nest, profile_policy) ||
	    !tb[MEMTAG_PROFILE_A_BIN_PATH])
		return -EPROTO;
	b = append(&p->binaries, &p->nr_binaries, sizeof(*b));
	if (!b)
		return -ENOMEM;
	nla_strlcpy(b->path, tb[MEMTAG_PROFILE_A_BIN_PATH], sizeof(b->path));
	b->start = memtag_attr_u64(tb[MEMTAG_PROFILE_A_BIN_START]);
	b->end = memtag_attr_u64(tb[MEMTAG_PROFILE_A_BIN_END]);
	b->bias = memtag_attr_u64(tb[MEMTAG_PROFILE_A_BIN_BIAS]);
	if (tb[MEMTAG_PROFILE_A_BIN_BUILD_ID]) {
		len = nla_len(tb[MEMTAG_PROFILE_A_BIN_BUILD_ID]);
		b->build_id_len = len < MEMTAG_BUILD_ID_MAX ? len : MEMTAG_BUILD_ID_MAX;
		memcpy(b->build_id, nla_data(tb[MEMTAG_PROFILE_A_BIN_BUILD_ID]), b->build_id_len);
	}
	return 0;
}

static int parse_site(struct memtag_profile *p, struct nlattr *nest)
{
	struct nlattr *tb[MEMTAG_PROFILE_A_MAX + 1], *counts, *stack;
	struct memtag_site *s;
	uint64_t v[7];

	if (nla_parse_nested(tb, MEMTAG_PROFILE_A_MAX, nest, profile_policy))
		return -EPROTO;
	counts = tb[MEMTAG_PROFILE_A_BUCKET_COUNTS];
	stack = tb[MEMTAG_PROFILE_A_BUCKET_STACK];
	if (!counts || nla_len(counts) != sizeof(v) || !stack ||
	    nla_len(stack) % sizeof(uint64_t) || nla_len(stack) > (int)sizeof(s->stack))
		return -EPROTO;
	s = append(&p->sites, &p->nr_sites, sizeof(*s));
	if (!s)
		return -ENOMEM;
	memcpy(v, nla_data(counts), sizeof(v));
	s->alloc_objects = v[0];
	s->alloc_bytes = v[1];
	s->free_objects = v[2];
	s->free_bytes = v[3];
	s->leaked_objects = v[4];
	s->leaked_bytes = v[5];
	s->first_ns = v[6];
	s->flags = memtag_attr_u32(tb[MEMTAG_PROFILE_A_BUCKET_FLAGS]);
	s->depth = nla_len(stack) / sizeof(uint64_t);
	memcpy(s->stack, nla_data(stack), nla_len(stack));
	return 0;
}

/* One message: a profile's header and some of its binaries and sites. */
static int parse_profile_part(struct nlmsghdr *nlh, void *item)
{
	struct nlattr *top[MEMTAG_A_MAX + 1], *tb[MEMTAG_PROFILE_A_MAX + 1], *a;
	struct memtag_profile *p = item;
	int rem, ret = 0;

	memset(p, 0, sizeof(*p));
	if (genlmsg_parse(nlh, 0, top, MEMTAG_A_MAX, NULL) || !top[MEMTAG_A_PROFILE] ||
	    nla_parse_nested(tb, MEMTAG_PROFILE_A_MAX, top[MEMTAG_A_PROFILE], profile_policy) ||
	    !tb[MEMTAG_PROFILE_A_ID])
		return -EPROTO;
	p->id = memtag_attr_u64(tb[MEMTAG_PROFILE_A_ID]);
	p->tgid = memtag_attr_u32(tb[MEMTAG_PROFILE_A_TGID]);
	p->uid = memtag_attr_u32(tb[MEMTAG_PROFILE_A_UID]);
	p->started_ns = memtag_attr_u64(tb[MEMTAG_PROFILE_A_STARTED_NS]);
	p->exited_ns = memtag_attr_u64(tb[MEMTAG_PROFILE_A_EXITED_NS]);
	if (tb[MEMTAG_PROFILE_A_COMM])
		nla_strlcpy(p->comm, tb[MEMTAG_PROFILE_A_COMM], sizeof(p->comm));
	nla_for_each_nested(a, top[MEMTAG_A_PROFILE], rem) {
		if (nla_type(a) == MEMTAG_PROFILE_A_BINARY)
			ret = parse_binary(p, a);
		else if (nla_type(a) == MEMTAG_PROFILE_A_BUCKET)
			ret = parse_site(p, a);
		if (ret)
			return ret;
	}
	return 0;
}

static int concat(void *dst_ptr, size_t *dst_count, void *src, size_t src_count, size_t size)
{
	void **dst = dst_ptr;
	char *grown;

	if (!src_count)
		return 0;
	grown = realloc(*dst, (*dst_count + src_count) * size);
	if (!grown)
		return -ENOMEM;
	memcpy(grown + *dst_count * size, src, src_count * size);
	*dst = grown;
	*dst_count += src_count;
	return 0;
}

/* A profile may come in several messages, one after the other: join them. */
static int join_parts(struct memtag_profile *parts, size_t n, size_t *joined)
{
	size_t i, out = 0;
	int ret = 0;

	for (i = 0; i < n; i++) {
		struct memtag_profile *last = out ? &parts[out - 1] : NULL;

		if (!last || last->id != parts[i].id) {
			parts[out++] = parts[i];
			continue;
		}
		if (!ret)
			ret = concat(&last->binaries, &last->nr_binaries, parts[i].binaries,
				     parts[i].nr_binaries, sizeof(struct memtag_binary));
		if (!ret)
			ret = concat(&last->sites, &last->nr_sites, parts[i].sites,
				     parts[i].nr_sites, sizeof(struct memtag_site));
		free(parts[i].binaries);
		free(parts[i].sites);
	}
	*joined = out;
	return ret;
}

static size_t keep_tgid(void *items, size_t n, size_t size, size_t tgid_offset, uint32_t tgid)
{
	char *base = items;
	size_t i, kept = 0;
	uint32_t t;

	for (i = 0; i < n; i++) {
		memcpy(&t, base + i * size + tgid_offset, sizeof(t));
		if (tgid && t != tgid)
			continue;
		if (kept != i)
			memcpy(base + kept * size, base + i * size, size);
		kept++;
	}
	return kept;
}

void memtag_profile_list_free(struct memtag_profile *profiles, size_t count)
{
	size_t i;

	for (i = 0; profiles && i < count; i++) {
		free(profiles[i].binaries);
		free(profiles[i].sites);
	}
	free(profiles);
}

int memtag_profile_list(struct memtag_client *client, uint32_t tgid,
			struct memtag_profile **profiles, size_t *count)
{
	struct memtag_profile *parts;
	size_t n, i, kept;
	int ret;

	ret = memtag_dump(client, MEMTAG_CMD_PROFILE_GET, sizeof(*parts), parse_profile_part,
			  (void **)&parts, &n);
	if (ret)
		return ret;
	ret = join_parts(parts, n, &n);
	if (ret) {
		memtag_profile_list_free(parts, n);
		return ret;
	}
	for (i = 0; tgid && i < n; i++) {
		if (parts[i].tgid != tgid) {
			free(parts[i].binaries);
			free(parts[i].sites);
		}
	}
	kept = keep_tgid(parts, n, sizeof(*parts), offsetof(struct memtag_profile, tgid), tgid);
	*profiles = parts;
	*count = kept;
	return 0;
}

const struct memtag_binary *memtag_profile_binary_of(const struct memtag_profile *profile,
						     uint64_t address)
{
	size_t i;

	for (i = 0; i < profile->nr_binaries; i++)
		if (address >= profile->binaries[i].start && address < profile->binaries[i].end)
			return &profile->binaries[i];
	return NULL;
}

static int parse_segment(struct nlmsghdr *nlh, void *item)
{
	struct nlattr *tb[MEMTAG_A_MAX + 1];
	struct memtag_segment_record *s = item;

	memset(s, 0, sizeof(*s));
	if (genlmsg_parse(nlh, 0, tb, MEMTAG_A_MAX, segment_policy) ||
	    !tb[MEMTAG_A_SEGMENT_ID] || !tb[MEMTAG_A_REGION_ID])
		return -EPROTO;
	s->id = memtag_attr_u32(tb[MEMTAG_A_SEGMENT_ID]);
	s->region = memtag_attr_u32(tb[MEMTAG_A_REGION_ID]);
	s->tgid = memtag_attr_u32(tb[MEMTAG_A_REGION_TGID]);
	s->uid = memtag_attr_u32(tb[MEMTAG_A_REGION_UID]);
	s->state = memtag_attr_u32(tb[MEMTAG_A_SEGMENT_STATE]);
	s->address = memtag_attr_u64(tb[MEMTAG_A_SEGMENT_ADDRESS]);
	s->size = memtag_attr_u64(tb[MEMTAG_A_SEGMENT_SIZE]);
	s->region_offset = memtag_attr_u64(tb[MEMTAG_A_SEGMENT_REGION_OFFSET]);
	if (tb[MEMTAG_A_REGION_NAME])
		nla_strlcpy(s->region_name, tb[MEMTAG_A_REGION_NAME], sizeof(s->region_name));
	return 0;
}

int memtag_segment_list(struct memtag_client *client, uint32_t tgid,
			struct memtag_segment_record **segments, size_t *count)
{
	size_t n;
	int ret;

	ret = memtag_dump(client, MEMTAG_CMD_SEGMENT_GET, sizeof(**segments), parse_segment,
			  (void **)segments, &n);
	if (ret)
		return ret;
	*count = keep_tgid(*segments, n, sizeof(**segments),
			   offsetof(struct memtag_segment_record, tgid), tgid);
	return 0;
}
