// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A real library in the request loop: a Lua 5.4 state per request (its
 * libraries opened, a small script run, the state closed), with Lua's
 * default allocator (realloc/free) or a lua_Alloc over tag_realloc and
 * tag_free in a region per request, ended after lua_close.
 */
#include <stdlib.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include "memtag.h"
#include "bench.h"

static const char script[] =
	"local t = {}\n"
	"for i = 1, 50 do t[i] = string.rep('x', 16 + (i * 37) % 240) .. i end\n"
	"local n = 0\n"
	"for _, s in ipairs(t) do n = n + #s end\n"
	"return n + #table.concat(t, ',')\n";

static void *tag_lua_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	(void)osize;
	if (nsize == 0) {
		tag_free(ud, ptr);
		return NULL;
	}
	return tag_realloc(ud, ptr, nsize);
}

static void run_script(lua_State *L)
{
	if (!L)
		bench_die("no Lua state");
	luaL_openlibs(L);
	if (luaL_loadstring(L, script) != LUA_OK || lua_pcall(L, 0, 1, 0) != LUA_OK)
		bench_die("Lua: %s", lua_tostring(L, -1));
	lua_close(L);
}

void bench_lua_default(void)
{
	run_script(luaL_newstate());
}

void bench_lua_memtag(void)
{
	struct tag_region *r = tag_region_create(NULL, "bench-lua", 0);

	if (!r)
		bench_die("tag_region_create failed: %m");
	run_script(lua_newstate(tag_lua_alloc, r));
	if (tag_region_end(r))
		bench_die("tag_region_end failed: %m");
}
