import { unixSeconds } from '../../clock.js';
import type { TlObject } from '../../tl/types.js';
import type { RpcContext, RpcHandler, ServedDc } from '../context.js';

/** How long a client may cache the config, in seconds; some clients assume one hour. */
const CONFIG_LIFETIME_SECONDS = 3600;

/** Builds the dcOption of the one DC the mock serves, pointing at its own address. */
export function dcOptionFor(dc: ServedDc): TlObject {
  return {
    _: 'dcOption',
    ipv6: dc.host.includes(':'),
    id: dc.dcId,
    ip_address: dc.host,
    port: dc.port,
  };
}

/**
 * Builds `config` for the client's layer. Field names cover every layer the mock serves; the
 * encoder drops those that a layer lacks. The limits are realistic values that clients only
 * display or use as caps.
 */
export function buildConfig(ctx: RpcContext): TlObject {
  const now = unixSeconds(ctx.clock);
  return {
    _: 'config',
    date: now,
    expires: now + CONFIG_LIFETIME_SECONDS,
    test_mode: false,
    this_dc: ctx.dc.dcId,
    dc_options: [dcOptionFor(ctx.dc)],
    dc_txt_domain_name: 'localhost',
    chat_size_max: 200,
    megagroup_size_max: 200_000,
    forwarded_count_max: 100,
    online_update_period_ms: 210_000,
    offline_blur_timeout_ms: 5000,
    offline_idle_timeout_ms: 30_000,
    online_cloud_timeout_ms: 300_000,
    notify_cloud_delay_ms: 30_000,
    notify_default_delay_ms: 1500,
    push_chat_period_ms: 60_000,
    push_chat_limit: 2,
    saved_gifs_limit: 200,
    edit_time_limit: 172_800,
    revoke_time_limit: 2_147_483_647,
    revoke_pm_time_limit: 2_147_483_647,
    rating_e_decay: 2_419_200,
    stickers_recent_limit: 200,
    stickers_faved_limit: 5,
    channels_read_media_period: 604_800,
    pinned_dialogs_count_max: 5,
    pinned_infolder_count_max: 100,
    call_receive_timeout_ms: 20_000,
    call_ring_timeout_ms: 90_000,
    call_connect_timeout_ms: 30_000,
    call_packet_timeout_ms: 10_000,
    me_url_prefix: 'https://t.me/',
    caption_length_max: 1024,
    message_length_max: 4096,
    webfile_dc_id: ctx.dc.dcId,
  };
}

/** help.* methods a client calls while it connects. */
export function createHelpHandlers(): Record<string, RpcHandler> {
  return {
    'help.getConfig': (_params, ctx) => buildConfig(ctx),
    'help.getNearestDc': (_params, ctx) => ({
      _: 'nearestDc',
      country: 'XX',
      this_dc: ctx.dc.dcId,
      nearest_dc: ctx.dc.dcId,
    }),
    'help.getAppConfig': () => ({
      _: 'help.appConfig',
      hash: 0,
      config: { _: 'jsonObject', value: [] },
    }),
    'help.getCountriesList': () => ({ _: 'help.countriesListNotModified' }),
  };
}
