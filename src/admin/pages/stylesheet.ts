/** The pages' one stylesheet, served by the Worker at /assets/hivepost.css (no external assets): outside /admin, so an Access policy on /admin never hides it from the portal. */
export const STYLESHEET = `
:root { --fg: #1d2330; --muted: #667085; --line: #e4e7ec; --bg: #f7f8fa; --card: #fff; --accent: #2454d6;
  --ok: #127a3f; --ok-bg: #e6f4ec; --bad: #b42318; --bad-bg: #fdecea; --warn: #8a5a00; --warn-bg: #fff4d6; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header.top { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.25rem; padding: .6rem 1.25rem; background: #121826; color: #fff; }
header.top a { color: #d0d7e6; text-decoration: none; }
header.top a:hover, header.top a.current { color: #fff; }
header.top .brand { font-weight: 700; color: #fff; margin-right: .5rem; }
header.top form { margin-left: auto; }
header.top button { background: transparent; color: #d0d7e6; border: 1px solid #3a4459; }
main { max-width: 1180px; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
h1 { font-size: 1.35rem; margin: .5rem 0 1rem; word-break: break-all; }
h2 { font-size: 1.05rem; margin: 0 0 .6rem; }
section.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1rem; margin-bottom: 1rem; }
a { color: var(--accent); }
.muted, small { color: var(--muted); }
.notice, .error, .warning { padding: .6rem .8rem; border-radius: 6px; margin-bottom: 1rem; }
.notice { background: var(--ok-bg); color: var(--ok); }
.error { background: var(--bad-bg); color: var(--bad); }
.warning { background: var(--warn-bg); color: var(--warn); }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: .45rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .78rem; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); font-weight: 600; }
.table-wrap { overflow-x: auto; }
td.url, .url { overflow-wrap: anywhere; }
input[type=text], input[type=password], input[type=url], input[type=datetime-local], select, textarea {
  font: inherit; padding: .4rem .5rem; border: 1px solid #c9ced8; border-radius: 6px; background: #fff; color: var(--fg); max-width: 100%; }
textarea { width: 100%; min-height: 5.5rem; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; }
input[type=url], input[type=text].wide { width: 100%; }
button { font: inherit; padding: .35rem .8rem; border-radius: 6px; border: 1px solid #c9ced8; background: #fff; color: var(--fg); cursor: pointer; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button.danger { color: var(--bad); border-color: #f1b8b3; }
form.inline { display: inline; }
.row { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: .5rem 0; }
.axis { display: flex; justify-content: space-between; gap: .5rem; margin-top: .3rem; }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: 999px; font-size: .78rem; font-weight: 600; background: #eef0f4; color: #344054; }
.badge.delivered, .badge.enabled { background: var(--ok-bg); color: var(--ok); }
.badge.failed, .badge.disabled { background: var(--bad-bg); color: var(--bad); }
.badge.retrying, .badge.pending { background: var(--warn-bg); color: var(--warn); }
.badge.test { background: #eaf0ff; color: var(--accent); }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: .75rem; margin-bottom: .75rem; }
.stat { border: 1px solid var(--line); border-radius: 8px; padding: .6rem .8rem; }
.stat b { display: block; font-size: 1.4rem; }
svg.chart { width: 100%; height: 90px; display: block; }
svg.chart rect.bar { fill: #8fa8ef; }
svg.chart rect.bar.current { fill: var(--accent); }
svg.chart line { stroke: var(--line); }
pre { background: #f2f4f7; border-radius: 6px; padding: .6rem; overflow-x: auto; font-size: 12.5px; margin: .3rem 0; white-space: pre-wrap; word-break: break-all; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; }
.events-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: .15rem .75rem; margin: .4rem 0; }
label { cursor: pointer; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; word-break: break-all; }
.signin { max-width: 380px; margin: 12vh auto; }
.signin input { width: 100%; margin: .4rem 0 .8rem; }
@media (max-width: 640px) {
  main { padding: .75rem; }
  th.optional, td.optional { display: none; }
  table.stack thead { display: none; }
  table.stack tr { display: block; padding: .5rem 0; border-bottom: 1px solid var(--line); }
  table.stack td { display: block; border: 0; padding: .15rem 0; }
  header.top form { margin-left: 0; }
}
`;
