namespace Orleans.Cache.Core.Scripting;

/// <summary>
/// The Lua side of the sandbox, run once per engine: Redis's set of globals (Lua 5.1 names on top of KeraLua's 5.4),
/// the read-only global table, the <c>redis</c>, <c>bit</c>, <c>struct</c>, <c>cjson</c> and <c>cmsgpack</c> tables, and the
/// runner that calls a script under an error handler. Errors are raised here, in Lua, and never from C#: a C# callback
/// that called lua_error would longjmp over managed frames, which .NET does not support.
/// </summary>
internal static class LuaPrelude
{
    /// <summary>The chunk name of this code; the error handler skips its frames when it looks for the user's line.</summary>
    public const string ChunkName = "=[redis]";

    public const string Code = """
local P = ...
local G = _G
local raw_error, raw_pcall, raw_xpcall, raw_load = error, pcall, xpcall, load
local rawget, rawset, type, tostring, select, setmetatable, next, ipairs =
      rawget, rawset, type, tostring, select, setmetatable, next, ipairs
local getinfo = debug.getinfo
local getmetatable = getmetatable
local co_running, co_yield = coroutine.running, coroutine.yield
local mtype, floor, ceil, tointeger = math.type, math.floor, math.ceil, math.tointeger
local sformat, sbyte, ssub = string.format, string.byte, string.sub
local tconcat = table.concat
local spack, sunpack, spacksize = string.pack, string.unpack, string.packsize

local function readonly_error() raw_error('Attempt to modify a readonly table', 2) end

-- Where a script called into redis / cjson / cmsgpack: P.site() is the line of its last lookup of such a function
-- (noted by the C# __index that P.index_of makes). Lua 5.4 drops the script's frame on 'return cjson.decode(x)' (a
-- tail call; in Redis's 5.1 these are C functions, which keep it), so errors raised by the Lua wrappers below name
-- that line instead.
local run_source = '@user_script' -- the chunk user code of the current run comes from
local last_raise
local user_source = { ['@user_script'] = true, ['@user_function'] = true }
local function raise_from(level, msg, with_position)
  local line = P.site()
  local src = line and run_source or '?'
  line = line or '?'
  local w = getinfo(level, 't')
  if not (w and w.istailcall) then
    local c = getinfo(level + 1, 'Sl')
    if c and user_source[c.source] then src, line = c.source, c.currentline end
  end
  if with_position and type(msg) == 'string' and src ~= '?' then msg = ssub(src, 2) .. ':' .. line .. ': ' .. msg end
  last_raise = { msg, src, line }
  raw_error(msg, 0)
end
-- Both are called by a wrapper (never as a tail call): level 3 is that wrapper.
local function raise(msg, with_position) raise_from(3, msg, with_position) end
local function err(msg) raise_from(3, { err = 'ERR ' .. msg }) end
local function tracked(t)
  return setmetatable({}, {
    __index = P.index_of(t),
    __newindex = readonly_error, __metatable = false, __pairs = function() return next, t, nil end })
end

-- A read-only view: Lua 5.4 has no read-only flag on tables, so library tables are proxies whose writes fail.
local function readonly(t)
  return setmetatable({}, {
    __index = t, __newindex = readonly_error, __metatable = false,
    __pairs = function() return next, t, nil end, __len = function() return #t end })
end

local function copy(t) local c = {} for k, v in next, t do c[k] = v end return c end

-- The protected global table: reads of unknown names and every write fail, as in Redis 7.
local B = {}
setmetatable(B, { __index = function(_, k)
  raw_error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
end })

-- ---- base library, Lua 5.1 flavoured ----
for _, name in ipairs{ 'assert', 'collectgarbage', 'getmetatable', 'ipairs', 'next', 'pairs', 'rawequal',
                       'rawget', 'rawset', 'select', 'setmetatable', 'tonumber', 'type', 'xpcall', 'print' } do
  B[name] = G[name]
end
B._VERSION = 'Lua 5.1'
B.unpack = table.unpack
B.gcinfo = function() return floor(collectgarbage('count')) end
-- Lua 5.1 prints integral floats without '.0' ("%.14g"); 5.4 would say "3.0".
local raw_tostring = tostring
B.tostring = function(v)
  if mtype(v) == 'float' then return sformat('%.14g', v) end
  return raw_tostring(v)
end
-- 5.1's error adds the position to numbers too; one more level for this wrapper's own frame.
B.error = function(m, level)
  level = level or 1
  if type(m) == 'number' then m = B.tostring(m) end
  if level > 0 then level = level + 1 end
  raw_error(m, level)
end
-- Redis's pcall hands back the text of an error table ({err=...}) rather than the table.
local function fix_pcall(ok, ...)
  if ok then return ok, ... end
  local e = ...
  if type(e) == 'table' then
    local s = rawget(e, 'err')
    if type(s) == 'string' or type(s) == 'number' then e = s end
  end
  return false, e
end
B.pcall = function(f, ...) return fix_pcall(raw_pcall(f, ...)) end
-- Text chunks only (no bytecode); their globals are the protected table unless an env is given.
local function load_text(chunk, name, mode, env)
  if env == nil then return raw_load(chunk, name, 't') end
  return raw_load(chunk, name, 't', env)
end
B.load = load_text
B.loadstring = function(s, name) return raw_load(s, name, 't') end

-- ---- coroutine: the script's own runner thread is not a coroutine it may yield or resume ----
local current
local co = copy(coroutine)
co.close = nil; co.isyieldable = nil
-- A coroutine carries the count hook that lets SCRIPT KILL stop a loop inside it: a new Lua thread takes its creator's
-- hook, and the run thread has one only around the creation (it runs without one, for speed).
local co_lib = coroutine
co.create = function(f)
  P.hook(true)
  local c = co_lib.create(f)
  P.hook(false)
  return c
end
co.wrap = function(f)
  P.hook(true)
  local w = co_lib.wrap(f)
  P.hook(false)
  return w
end
co.running = function() local c = co_running() if c == current then return nil end return c end
co.yield = function(...)
  if co_running() == current then raw_error('attempt to yield from outside a coroutine', 2) end
  return co_yield(...)
end
B.coroutine = readonly(co)

-- ---- string, table, math with their 5.1 names ----
local str = copy(string)
str.gfind = string.gmatch
B.string = readonly(str)
-- Strings' own metatable (what ("x"):upper() finds methods through) is shared by every run: its methods are the copy
-- above, which no script can reach (getmetatable('') answers a read-only face whose __index is the read-only view), so
-- no script can write there (Redis 7's readonly table error) nor leave anything behind for the next one.
local string_mt = getmetatable('')
string_mt.__index = str
string_mt.__metatable = readonly({ __index = B.string })
local tbl = copy(table)
tbl.getn = function(t) return #t end
tbl.maxn = function(t) local m = 0 for k in next, t do if type(k) == 'number' and k > m then m = k end end return m end
tbl.foreach = function(t, f) for k, v in next, t do local r = f(k, v) if r ~= nil then return r end end end
tbl.foreachi = function(t, f) for i = 1, #t do local r = f(i, t[i]) if r ~= nil then return r end end end
tbl.setn = function() raw_error("'setn' is obsolete", 2) end
B.table = readonly(tbl)
local m = copy(math)
m.pow = function(x, y) return x ^ y end
m.mod = math.fmod
m.log10 = function(x) return math.log(x, 10) end
m.ldexp = function(x, e) return x * 2.0 ^ e end
m.frexp = function(x)
  if x == 0 or x ~= x or x == math.huge or x == -math.huge then return x, 0 end
  local e = floor(math.log(math.abs(x), 2)) + 1
  local f = x / 2.0 ^ e
  if math.abs(f) >= 1 then f = f / 2; e = e + 1 elseif math.abs(f) < 0.5 then f = f * 2; e = e - 1 end
  return f, e
end
m.cosh = function(x) return (math.exp(x) + math.exp(-x)) / 2 end
m.sinh = function(x) return (math.exp(x) - math.exp(-x)) / 2 end
m.tanh = function(x) local a, b = math.exp(x), math.exp(-x) return (a - b) / (a + b) end
m.atan2 = math.atan
B.math = readonly(m)
B.os = readonly({ clock = os.clock })

-- ---- bit (LuaBitOp): 32-bit signed results ----
local function tobit(x)
  if mtype(x) ~= 'integer' then
    local i = tointeger(x)
    if i == nil then
      -- LuaBitOp rounds a fractional number to the nearest integer (ties to even).
      local f = floor(x)
      local d = x - f
      if d > 0.5 or (d == 0.5 and f % 2 == 1) then f = f + 1 end
      i = tointeger(f % 4294967296) or 0
    end
    x = i
  end
  x = x & 0xffffffff
  if x >= 0x80000000 then x = x - 0x100000000 end
  return x
end
local bit = {}
bit.tobit = tobit
bit.bnot = function(x) return tobit(~tobit(x)) end
local function fold(op)
  return function(x, ...)
    local r = tobit(x)
    for i = 1, select('#', ...) do r = op(r, tobit((select(i, ...)))) end
    return tobit(r)
  end
end
bit.band = fold(function(a, b) return a & b end)
bit.bor = fold(function(a, b) return a | b end)
bit.bxor = fold(function(a, b) return a ~ b end)
bit.lshift = function(x, n) return tobit((tobit(x) & 0xffffffff) << (tobit(n) & 31)) end
bit.rshift = function(x, n) return tobit((tobit(x) & 0xffffffff) >> (tobit(n) & 31)) end
bit.arshift = function(x, n) return tobit(tobit(x) >> (tobit(n) & 31) | (tobit(x) < 0 and ~(0xffffffff >> (tobit(n) & 31)) or 0)) end
bit.rol = function(x, n) n = tobit(n) & 31 x = tobit(x) & 0xffffffff return tobit((x << n) | (x >> (32 - n))) end
bit.ror = function(x, n) n = tobit(n) & 31 x = tobit(x) & 0xffffffff return tobit((x >> n) | (x << (32 - n))) end
bit.bswap = function(x)
  x = tobit(x) & 0xffffffff
  return tobit(((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >> 8) & 0xff00) | (x >> 24))
end
bit.tohex = function(x, n)
  n = n == nil and 8 or tobit(n)
  local upper = n < 0
  if upper then n = -n end
  if n > 8 then n = 8 end
  local v = tobit(x) & 0xffffffff
  if n < 8 then v = v & ((1 << (4 * n)) - 1) end
  return sformat(upper and '%0' .. n .. 'X' or '%0' .. n .. 'x', v)
end
B.bit = readonly(bit)

-- ---- struct, on string.pack: 's' is zero-terminated there 'z', a bare 'c' one char ----
local intopt = { b = true, B = true, h = true, H = true, i = true, I = true, l = true, L = true, T = true }
local function struct_format(fmt)
  local out, kinds, i, n = {}, {}, 1, #fmt
  while i <= n do
    local c = ssub(fmt, i, i)
    local digits = fmt:match('^%d+', i + 1) or ''
    i = i + 1 + #digits
    if c == 's' then out[#out + 1] = 'z'; kinds[#kinds + 1] = 's'
    elseif c == 'c' then
      if digits == '0' then raw_error("struct: option 'c0' is not supported", 3) end
      out[#out + 1] = 'c' .. (digits == '' and '1' or digits); kinds[#kinds + 1] = 's'
    elseif c == '!' then out[#out + 1] = '!' .. digits
    elseif c == ' ' or c == '<' or c == '>' or c == '=' or c == 'x' then out[#out + 1] = c .. digits
    elseif intopt[c] then out[#out + 1] = c .. digits; kinds[#kinds + 1] = 'i'
    elseif c == 'f' or c == 'd' then out[#out + 1] = c; kinds[#kinds + 1] = 'f'
    else raw_error("invalid format option '" .. c .. "'", 3) end
  end
  return tconcat(out), kinds
end
local struct = {}
struct.pack = function(fmt, ...)
  local f, kinds = struct_format(fmt)
  local args = table.pack(...)
  for k, kind in ipairs(kinds) do
    local v = args[k]
    if kind == 'i' and type(v) == 'number' and mtype(v) == 'float' then
      -- struct converts with a C cast: the fraction is dropped.
      args[k] = tointeger(v >= 0 and floor(v) or ceil(v)) or 0
    end
  end
  return spack(f, table.unpack(args, 1, #kinds))
end
struct.unpack = function(fmt, s, pos) local f = struct_format(fmt) return sunpack(f, s, pos) end
struct.size = function(fmt) local f = struct_format(fmt) return spacksize(f) end
B.struct = readonly(struct)

-- ---- cjson and cmsgpack: the work is in C#; errors are raised here ----
local cjson = {}
cjson.null = P.json_null
cjson.encode = function(...)
  if select('#', ...) ~= 1 then raise('bad argument #1 to \'encode\' (expected 1 argument)', true) end
  local s, e = P.json_encode(...)
  if s == nil then raise(e, true) end
  return s
end
cjson.decode = function(...)
  if select('#', ...) ~= 1 then raise('bad argument #1 to \'decode\' (expected 1 argument)', true) end
  local s = ...
  if type(s) ~= 'string' and type(s) ~= 'number' then raise("bad argument #1 to 'decode' (string expected, got " .. type(s) .. ")", true) end
  local ok, v = P.json_decode(s)
  if not ok then raise(v, true) end
  return v
end
cjson.encode_keep_buffer = function() end
cjson.encode_max_depth = function() return 1000 end
cjson.decode_max_depth = function() return 1000 end
cjson.encode_number_precision = function() return 14 end
cjson.encode_sparse_array = function() return false, 2, 10 end
cjson.encode_invalid_numbers = function() return false end
cjson.decode_invalid_numbers = function() return true end
cjson.new = function() return B.cjson end
B.cjson = tracked(cjson)
local cmsgpack = {}
cmsgpack.pack = function(...)
  if select('#', ...) == 0 then raise("bad argument #0 to 'pack' (MessagePack pack needs input.)", true) end
  return P.mp_pack(...)
end
cmsgpack.unpack = function(s)
  if type(s) ~= 'string' then raise("bad argument #1 to 'unpack' (string expected, got " .. type(s) .. ")", true) end
  local r = table.pack(P.mp_unpack(s))
  if not r[1] then raise(r[2], true) end
  return table.unpack(r, 2, r.n)
end
B.cmsgpack = tracked(cmsgpack)

-- ---- redis ----
local LOG = { LOG_DEBUG = 0, LOG_VERBOSE = 1, LOG_NOTICE = 2, LOG_WARNING = 3 }
local function log(...)
  local n = select('#', ...)
  if n < 2 then err('redis.log() requires two arguments or more.') end
  local level = ...
  if type(level) ~= 'number' then err('First argument must be a number') end
  if level < 0 or level > 3 then err('Invalid debug level.') end
  local parts = {}
  for i = 2, n do
    local v = select(i, ...)
    if type(v) == 'string' or type(v) == 'number' then parts[#parts + 1] = B.tostring(v) end
  end
  P.log(level, tconcat(parts, ' '))
end
local function error_reply(...)
  local s = ...
  if select('#', ...) ~= 1 or type(s) ~= 'string' then return { err = 'ERR wrong number or type of arguments' } end
  if ssub(s, 1, 1) ~= '-' then s = '-' .. s end
  local space = s:find(' ', 1, true)
  local code, msg
  if space then code, msg = ssub(s, 2, space - 1), ssub(s, space + 1) else code, msg = 'ERR', ssub(s, 2) end
  msg = msg:gsub('[\r\n]+$', '')
  return { err = code .. ' ' .. msg }
end
local redis = {
  REDIS_VERSION = '7.2.0', REDIS_VERSION_NUM = 0x070200,
  REPL_NONE = 0, REPL_AOF = 1, REPL_SLAVE = 2, REPL_REPLICA = 2, REPL_ALL = 3,
}
for k, v in next, LOG do redis[k] = v end
redis.call = function(...)
  local ok, v = P.call(...)
  if ok then return v end
  raise(v)
end
redis.pcall = function(...)
  local ok, v = P.call(...)
  return v
end
redis.error_reply = error_reply
redis.status_reply = function(...)
  local s = ...
  if select('#', ...) ~= 1 or type(s) ~= 'string' then return { err = 'ERR wrong number or type of arguments' } end
  return { ok = s }
end
redis.sha1hex = function(...)
  if select('#', ...) ~= 1 then err('wrong number of arguments') end
  local s = ...
  if type(s) ~= 'string' and type(s) ~= 'number' then s = '' end
  return P.sha1hex(B.tostring(s))
end
redis.log = log
redis.setresp = function(...)
  if select('#', ...) ~= 1 then err('redis.setresp() requires one argument.') end
  local n = ...
  if n ~= 2 and n ~= 3 then err('RESP version must be 2 or 3.') end
  P.setresp(n)
end
redis.set_repl = function(...)
  if select('#', ...) ~= 1 then err('redis.set_repl() requires one argument.') end
  local flags = ...
  if type(flags) ~= 'number' or flags < 0 or flags > 3 then
    err('Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.')
  end
end
redis.replicate_commands = function() return true end
redis.breakpoint = function() return false end
redis.debug = function() end
redis.acl_check_cmd = function(...)
  if select('#', ...) == 0 then err('Please specify at least one argument for this redis lib call') end
  local ok, v = P.acl_check(...)
  if not ok then raise(v) end
  return v
end
B.redis = tracked(redis)

-- Install: the real global table becomes an empty, read-only face over B.
for k in next, G do G[k] = nil end
B._G = G
setmetatable(G, { __index = B, __newindex = readonly_error, __metatable = false })
-- The same globals with a plain redis table, for scripts that only call redis.name(...) directly and have no tail call
-- of one left (see TailCalls): their errors name the line without the tracked lookups.
local BF = copy(B)
local GF = {}
BF.redis = redis
BF._G = GF
setmetatable(BF, getmetatable(B))
setmetatable(GF, { __index = BF, __newindex = readonly_error, __metatable = false })

-- ---- the runner: every script, function and library load runs through it on its own Lua thread ----
local function where(level)
  while true do
    local i = getinfo(level, 'Sl')
    if not i then return '?', '?' end
    if user_source[i.source] then return i.source, i.currentline end
    level = level + 1
  end
end
local function handler(e)
  local msg
  if type(e) == 'table' then
    msg = rawget(e, 'err')
    if type(msg) ~= 'string' then msg = 'ERR ' .. raw_tostring(msg) end
  else
    msg = 'ERR ' .. B.tostring(e)
  end
  local src, line
  if last_raise and rawequal(last_raise[1], e) then src, line = last_raise[2], last_raise[3] else src, line = where(2) end
  return { msg, src, line }
end
local function run(f, ...)
  current = co_running()
  run_source = '@user_function'
  last_raise = nil
  return raw_xpcall(f, handler, ...)
end
-- Whether a script left its KEYS or ARGV table as it got it: no metatable, and no key but 1..n (the values there
-- are overwritten before the next run), so the runner may hand the same table to the next script.
local function intact(t, n)
  if getmetatable(t) ~= nil then return false end
  for k in next, t do
    if mtype(k) ~= 'integer' or k < 1 or k > n then return false end
  end
  return true
end
local function finish_script(keys, nkeys, argv, nargv, ...)
  return intact(keys, nkeys) and intact(argv, nargv), ...
end
-- A script (EVAL): KEYS and ARGV become its globals, then it runs without arguments. The first result says whether
-- the KEYS and ARGV tables may be reused; then xpcall's.
local function run_script(f, keys, argv, nkeys, nargv)
  B.KEYS, B.ARGV, BF.KEYS, BF.ARGV = keys, argv, keys, argv
  current = co_running()
  run_source = '@user_script'
  last_raise = nil
  return finish_script(keys, nkeys, argv, nargv, raw_xpcall(f, handler))
end

-- ---- function libraries (FUNCTION LOAD) ----
local registering
local flag_names = { ['no-writes'] = true, ['allow-oom'] = true, ['allow-stale'] = true, ['no-cluster'] = true,
                     ['allow-cross-slot-keys'] = true }
local function register_function(...)
  local n = select('#', ...)
  local name, callback, flags, desc
  if n == 1 then
    local t = ...
    if type(t) ~= 'table' then
      err('calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).')
    end
    for k, v in next, t do
      if k == 'function_name' then name = v
      elseif k == 'callback' then callback = v
      elseif k == 'flags' then flags = v
      elseif k == 'description' then desc = v
      else err('unknown argument given to redis.register_function') end
    end
    if name == nil then err('redis.register_function must get a function name argument') end
    if callback == nil then err('redis.register_function must get a callback argument') end
    if type(callback) ~= 'function' then err('callback argument given to redis.register_function must be a function') end
  elseif n == 2 then
    name, callback = ...
    if type(callback) ~= 'function' then err('second argument to redis.register_function must be a function') end
  else
    err('wrong number of arguments to redis.register_function')
  end
  if type(name) ~= 'string' and type(name) ~= 'number' then err('function_name argument given to redis.register_function must be a string') end
  name = B.tostring(name)
  if desc ~= nil and type(desc) ~= 'string' then err('description argument given to redis.register_function must be a string') end
  local fl = {}
  if flags ~= nil then
    if type(flags) ~= 'table' then err('flags argument to redis.register_function must be a table representing function flags') end
    for _, f in ipairs(flags) do
      if type(f) ~= 'string' or not flag_names[f] then err('unknown flag given') end
      fl[#fl + 1] = f
    end
  end
  if not name:match('^[%w_]+$') then
    err('Library names can only contain letters, numbers, or underscores(_) and must be at least one character long')
  end
  for _, r in ipairs(registering) do if r.name == name then err('Function already exists in the library') end end
  registering[#registering + 1] = { name = name, callback = callback, flags = fl, description = desc }
end
local load_redis = { register_function = register_function, log = log,
                     REDIS_VERSION = redis.REDIS_VERSION, REDIS_VERSION_NUM = redis.REDIS_VERSION_NUM }
for k, v in next, LOG do load_redis[k] = v end
-- While a library loads it sees only this 'redis'; afterwards its functions see the full globals.
-- Redis 7.0 answers a missing field of this 'redis' as it does a missing global.
local load_redis_view = setmetatable({}, {
  __index = function(_, k)
    local v = load_redis[k]
    if v == nil then raw_error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2) end
    return v
  end,
  __newindex = readonly_error, __metatable = false })
local load_G = setmetatable({ redis = load_redis_view }, {
  __index = function(_, k) raw_error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2) end,
  __newindex = readonly_error, __metatable = false })

local function compile_library(code)
  local mt = { __index = load_G, __newindex = readonly_error, __metatable = false }
  local f, e = raw_load(code, '@user_function', 't', setmetatable({}, mt))
  if not f then return nil, e end
  return function()
    registering = {}
    local ok, r = raw_pcall(f)
    local list = registering
    registering = nil
    if not ok then raw_error(r, 0) end
    mt.__index = G
    return list
  end
end

return { globals = B, run = run, run_script = run_script, compile_library = compile_library, direct_globals = GF }
""";
}
