/**
 * The audit's look, for a constructable stylesheet (`adoptedStyleSheets`): no `<style>` element
 * and no style attribute, so that a page under `default-src 'self'` shows it without a violation.
 * Outlines: green complete, amber without a queryID, red where a click would be refused.
 */
export const AUDIT_CSS = `
:host { all: initial; }
.layer { position: fixed; inset: 0; pointer-events: none; z-index: 2147483646; overflow: hidden;
  font: 11px/1.3 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.layer.off { display: none; }
.box { position: absolute; top: 0; left: 0; display: none; box-sizing: border-box; border: 2px solid; border-radius: 3px; }
.box.object.complete { border-color: #16a34a; }
.box.object.no-query-id { border-color: #d97706; border-style: dashed; }
.box.object.rejected { border-color: #dc2626; border-width: 3px; }
.box.object.ignored, .box.filter.ignored { border-color: #6b7280; border-style: dotted; }
.box.container { border: 1px dashed #2563eb; border-radius: 0; }
.box.filter { border: 2px dotted #7c3aed; }
.box.conversion { border: 2px solid #0891b2; }
.box.conversion.rejected, .box.filter.rejected { border-color: #dc2626; }
.box.ignore { border: 1px solid #6b7280; background: repeating-linear-gradient(45deg, rgb(107 114 128 / 0.18) 0 6px, transparent 6px 12px); }
.box.covered { outline: 3px solid #0891b2; outline-offset: 2px; }
.box.selected { outline: 3px solid #111827; outline-offset: 3px; }
.badge { position: absolute; left: -2px; top: -2px; max-width: calc(100% + 4px); overflow: hidden; white-space: nowrap;
  text-overflow: ellipsis; padding: 0 4px; color: #fff; background: #16a34a; border-radius: 3px 0 3px 0; }
.no-query-id > .badge { background: #b45309; }
.rejected > .badge { background: #dc2626; }
.ignored > .badge, .ignore > .badge { background: #4b5563; }
.container > .badge { left: auto; right: -1px; top: auto; bottom: 100%; background: #2563eb; border-radius: 3px 3px 0 0; }
.box.unread { border: 2px dashed #dc2626; }
.filter > .badge { background: #7c3aed; }
.conversion > .badge { background: #0e7490; }
.covered > .badge.source { top: auto; bottom: -2px; background: #0e7490; }
.layer.no-badges .badge:not(.source) { display: none; }
.flash-sent { animation: sent 0.9s ease-out; }
.flash-rejected { animation: rejected 0.9s ease-out; }
@keyframes sent { from { box-shadow: 0 0 0 6px rgb(22 163 74 / 0.8); background: rgb(22 163 74 / 0.25); } }
@keyframes rejected { from { box-shadow: 0 0 0 6px rgb(220 38 38 / 0.8); background: rgb(220 38 38 / 0.25); } }
@media (prefers-reduced-motion: reduce) { .flash-sent, .flash-rejected { animation-duration: 0.01s; } }

.panel { position: fixed; right: 12px; bottom: 12px; z-index: 2147483647; width: min(440px, calc(100vw - 24px));
  max-height: min(70vh, 640px); display: flex; flex-direction: column; pointer-events: auto; box-sizing: border-box;
  font: 12px/1.4 system-ui, sans-serif; color: #111827; background: #fff; border: 1px solid #9ca3af; border-radius: 6px;
  box-shadow: 0 6px 24px rgb(0 0 0 / 0.25); }
.panel.collapsed { width: auto; }
.panel.collapsed > :not(header) { display: none; }
header { display: flex; gap: 6px; align-items: center; padding: 6px 8px; border-bottom: 1px solid #e5e7eb; }
header h2 { flex: 1; margin: 0; font-size: 13px; }
button { font: inherit; color: inherit; background: #f3f4f6; border: 1px solid #9ca3af; border-radius: 4px; padding: 1px 6px; cursor: pointer; }
button:focus-visible { outline: 2px solid #2563eb; outline-offset: 1px; }
button[aria-pressed="false"] { background: #fff; color: #6b7280; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 8px; margin: 6px 8px; }
dt { color: #4b5563; }
dd { margin: 0; overflow-wrap: anywhere; }
.details { margin: 0 8px 6px; padding: 4px 6px; background: #f9fafb; border: 1px solid #e5e7eb; border-radius: 4px;
  white-space: pre-wrap; overflow-wrap: anywhere; font: 11px/1.35 ui-monospace, monospace; max-height: 9em; overflow: auto; }
.details:empty { display: none; }
h3 { margin: 4px 8px; font-size: 12px; }
ol { margin: 0; padding: 0 8px 8px; list-style: none; overflow: auto; }
li + li { margin-top: 2px; }
ol button { display: block; width: 100%; text-align: left; background: #fff; border-color: #e5e7eb; }
ol button:hover { background: #fef2f2; }
.rule { display: inline-block; margin-right: 6px; padding: 0 4px; border-radius: 3px; color: #fff; background: #dc2626;
  font: 10px/1.5 ui-monospace, monospace; }
.where { color: #4b5563; font: 11px ui-monospace, monospace; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 10px; margin: 0 8px 6px; color: #4b5563; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 3px; vertical-align: -1px; border: 2px solid; border-radius: 2px; }
.swatch.complete { border-color: #16a34a; } .swatch.no-query-id { border-color: #d97706; border-style: dashed; }
.swatch.rejected { border-color: #dc2626; } .swatch.container { border: 1px dashed #2563eb; }
.swatch.filter { border-color: #7c3aed; border-style: dotted; } .swatch.conversion { border-color: #0891b2; }
.swatch.ignore { border: 1px solid #6b7280; background: rgb(107 114 128 / 0.3); }
`;
