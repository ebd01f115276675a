-- paas router balancer: picks the dyno for each request from the dyno table,
-- which changes without an nginx reload (see domain/router_config.py for why).
--
-- The platform writes /etc/paas-router/backends: "generation G", one line per
-- serving dyno ("app address:port dyno"), then "end G". One worker re-reads it every 100 ms into a
-- shared dict (the table first, then its generation); every worker parses the table
-- again only when the generation changes. The master loads it at start, so a router
-- restarted while the control plane is down serves the last table it was given.

local balancer = require "ngx.balancer"

local M = {}
local FILE = "/etc/paas-router/backends"
local POLL_SECONDS = 0.1

local parsed_generation, parsed = nil, {}
local turns = {}  -- app -> requests seen by this worker, for round robin

local function parse(text)
  local apps = {}
  for app, address, port, dyno in text:gmatch("(%S+) ([%d%.]+):(%d+) (%S+)\n") do
    local peers = apps[app]
    if not peers then
      peers = {}
      apps[app] = peers
    end
    peers[#peers + 1] = { address, tonumber(port), dyno }
  end
  return apps
end

local function load_file()
  local file = io.open(FILE, "r")
  if not file then
    return
  end
  local text = file:read("*a")
  file:close()
  local dict = ngx.shared.paas_backends
  local generation = text:match("^generation (%S+)\n")
  if not generation then
    return
  end
  local trailer = "end " .. generation .. "\n"
  if text:sub(-#trailer) ~= trailer then
    return -- caught while being written: read it again next time
  end
  if generation ~= dict:get("generation") then
    dict:set("table", text)
    dict:set("generation", generation)
  end
end

local function current()
  local dict = ngx.shared.paas_backends
  local generation = dict:get("generation")
  if generation ~= parsed_generation then
    parsed = parse(dict:get("table") or "")
    parsed_generation = generation
  end
  return parsed
end

function M.init()
  load_file()
end

function M.init_worker()
  if ngx.worker.id() == 0 then
    ngx.timer.every(POLL_SECONDS, load_file)
  end
end

-- access phase: the app's dynos for this request, or H14 when it has none
function M.choose()
  local app = ngx.var.paas_app
  local peers = current()[app]
  if not peers then
    return ngx.exec("@h14")
  end
  local turn = (turns[app] or 0) + 1
  turns[app] = turn
  local ctx = ngx.ctx
  ctx.peers, ctx.turn = peers, turn
end

-- balancer phase: called again for each retry (proxy_next_upstream); every dyno
-- is offered at most once
function M.balance()
  local ctx = ngx.ctx
  local peers, tried = ctx.peers, ctx.tried
  if not tried then
    tried = 0
    if #peers > 1 then
      balancer.set_more_tries(#peers - 1)
    end
  end
  local peer = peers[(ctx.turn + tried) % #peers + 1]
  ctx.tried = tried + 1
  ngx.var.paas_dyno = peer[3]
  local ok, err = balancer.set_current_peer(peer[1], peer[2])
  if not ok then
    ngx.log(ngx.ERR, "paas balancer: ", err)
  end
end

function M.generation()
  ngx.print(ngx.shared.paas_backends:get("generation") or "")
end

return M
