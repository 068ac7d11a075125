/**
 * The pages' one stylesheet, served by the Worker at /assets/hivepost.css (no external assets): outside /admin, so an Access policy on /admin never hides it from the portal.
 *
 * Contrast (WCAG 2.1 AA), checked against the backgrounds they sit on: text at least 4.5:1 (--muted
 * #667085 is 4.8:1 on white, 4.5:1 on --bg; every badge's text at least 4.9:1 on its own background);
 * control borders at least 3:1 (--control #767f8f is 4.0:1 on white, 3.8:1 on --bg; the header's
 * #8a94a8 is 5.9:1 on its #121826). Phones (up to 640 px): tables marked .stack become one card per
 * row, each cell labelled by its data-label, and their optional columns are hidden.
 */
export const STYLESHEET = `
:root { --fg: #1d2330; --muted: #667085; --line: #e4e7ec; --bg: #f7f8fa; --card: #fff; --accent: #2454d6; --control: #767f8f;
  --ok: #127a3f; --ok-bg: #e6f4ec; --bad: #b42318; --bad-bg: #fdecea; --warn: #8a5a00; --warn-bg: #fff4d6;
  --top: #121826; --top-fg: #d0d7e6; --top-muted: #b8c0d0; --top-control: #8a94a8; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
header.top { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.25rem; padding: .6rem 1.25rem; background: var(--top); color: #fff; }
header.top :focus-visible { outline-color: #fff; }
header.top a { color: var(--top-fg); text-decoration: none; }
header.top a:hover { color: #fff; text-decoration: underline; }
header.top .brand { font-weight: 700; color: #fff; }
header.top .account { color: #fff; font-weight: 600; padding-left: 1rem; border-left: 1px solid var(--top-control); overflow-wrap: anywhere; }
header.top .account small { color: var(--top-muted); font-weight: 400; }
header.top nav { display: flex; flex-wrap: wrap; gap: .25rem 1rem; }
header.top nav a { padding: .2rem 0; }
header.top nav a[aria-current=page] { color: #fff; font-weight: 700; text-decoration: underline; text-decoration-thickness: 2px; text-underline-offset: .35em; }
header.top .sign-out { margin-left: auto; }
header.top button { background: transparent; color: var(--top-fg); border-color: var(--top-control); }
header.top button:hover { background: #232c3f; color: #fff; }
main { max-width: 1180px; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
h1 { font-size: 1.35rem; margin: .5rem 0 1rem; overflow-wrap: anywhere; }
h2 { font-size: 1.05rem; margin: 0 0 .6rem; }
section.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1rem; margin-bottom: 1rem; }
a { color: var(--accent); }
.muted, small { color: var(--muted); }
.block { display: block; }
.url { overflow-wrap: anywhere; }
.tag { display: inline-block; margin: 0 .3rem .3rem 0; padding: .05rem .4rem; border-radius: 4px; background: #eef0f4; color: #344054; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; border: 0; }
.notice, .error, .warning { padding: .6rem .8rem; border-radius: 6px; margin-bottom: 1rem; }
.notice { background: var(--ok-bg); color: var(--ok); }
.error { background: var(--bad-bg); color: var(--bad); }
.warning { background: var(--warn-bg); color: var(--warn); }
.field-error { color: var(--bad); font-weight: 600; margin: .3rem 0 .6rem; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: .45rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .78rem; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); font-weight: 600; }
.table-wrap { overflow-x: auto; }
label { cursor: pointer; }
label[for] { font-weight: 600; }
input[type=text], input[type=password], input[type=url], input[type=datetime-local], select, textarea {
  font: inherit; padding: .4rem .5rem; border: 1px solid var(--control); border-radius: 6px; background: #fff; color: var(--fg); max-width: 100%; }
input[aria-invalid=true], textarea[aria-invalid=true] { border: 2px solid var(--bad); }
fieldset[aria-invalid=true] { border-color: var(--bad); }
textarea { display: block; width: 100%; min-height: 5.5rem; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; }
input[type=url], input[type=text].wide { display: block; width: 100%; margin: .25rem 0; }
button { font: inherit; padding: .35rem .8rem; border-radius: 6px; border: 1px solid var(--control); background: #fff; color: var(--fg); cursor: pointer; }
button:hover { background: #f2f4f7; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button.primary:hover { background: #1b45b8; }
button.danger { color: var(--bad); border-color: var(--bad); }
button.danger:hover { background: var(--bad-bg); }
form.inline { display: inline; }
.row { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: .5rem 0; }
.axis { display: flex; justify-content: space-between; gap: .5rem; margin-top: .3rem; }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: 999px; font-size: .78rem; font-weight: 600; background: #eef0f4; color: #344054; }
.badge.delivered, .badge.enabled, .badge.state-healthy { background: var(--ok-bg); color: var(--ok); }
.badge.failed, .badge.disabled, .badge.state-isolated { background: var(--bad-bg); color: var(--bad); }
.badge.retrying, .badge.pending, .badge.state-slow { background: var(--warn-bg); color: var(--warn); }
.badge.state-saturated { background: #f4ebff; color: #6b2fb3; }
.badge.test { background: #eaf0ff; color: var(--accent); }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: .75rem; margin-bottom: .75rem; }
.stat { border: 1px solid var(--line); border-radius: 8px; padding: .6rem .8rem; }
.stat b { display: block; font-size: 1.4rem; }
svg.chart { width: 100%; height: 90px; display: block; }
svg.chart rect.bar { fill: #8fa8ef; }
svg.chart rect.bar.current { fill: var(--accent); }
svg.chart line { stroke: var(--line); }
pre { background: #f2f4f7; border-radius: 6px; padding: .6rem; overflow-x: auto; font-size: 12.5px; margin: .3rem 0; white-space: pre-wrap; overflow-wrap: anywhere; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; overflow-wrap: anywhere; }
fieldset.events { border: 1px solid var(--line); border-radius: 6px; margin: .75rem 0; padding: .5rem .75rem; }
fieldset.events legend { font-weight: 600; padding: 0 .25rem; }
.events-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: .15rem .75rem; margin: .4rem 0; }
/* "All events" makes the list below it moot: it looks inactive (its text stays at 4.5:1, the boxes fade). */
fieldset.events:has(input[value=all]:checked) .events-grid { color: var(--muted); }
fieldset.events:has(input[value=all]:checked) .events-grid input { opacity: .45; }
.header-form { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr) auto; gap: .5rem .75rem; align-items: end; margin-top: .75rem; }
.header-form > div { display: flex; flex-direction: column; gap: .25rem; min-width: 0; }
.header-form input { width: 100%; }
.header-form .field-error { grid-column: 1 / -1; margin: 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; min-width: 0; }
.confirm ul { padding-left: 1.25rem; }
.signin { max-width: 380px; margin: 12vh auto; }
.signin label { display: block; }
.signin input { width: 100%; margin: .4rem 0 .8rem; }
@media (max-width: 640px) {
  header.top { padding: .6rem .75rem; gap: .4rem 1rem; }
  header.top .sign-out { order: 1; }
  header.top nav { order: 2; flex-basis: 100%; }
  main { padding: .75rem; }
  section.card { padding: .75rem; }
  .signin { margin: 1.5rem auto; }
  table.stack, table.stack tbody { display: block; }
  table.stack thead { display: none; }
  table.stack tr { display: block; padding: .5rem 0; border-bottom: 1px solid var(--line); }
  table.stack td { display: block; border: 0; padding: .15rem 0; overflow-wrap: anywhere; }
  table.stack td[data-label]::before { content: attr(data-label); display: block; font-size: .72rem; font-weight: 600;
    text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
  table.stack th.optional, table.stack td.optional, th.optional, td.optional { display: none; }
  dl.facts { grid-template-columns: minmax(0, 1fr); gap: 0; }
  dl.facts dd { margin-bottom: .5rem; }
  .header-form { grid-template-columns: minmax(0, 1fr); align-items: stretch; }
  .header-form button { justify-self: start; }
  .row > select { flex: 1 1 100%; }
}
`;
