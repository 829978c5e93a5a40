/** The widget's CSS, scoped by its shadow root: nothing leaks into the host page, nothing leaks in. */
export const STYLES = `
:host { all: initial; }
* { box-sizing: border-box; }
.root { position: fixed; bottom: 20px; z-index: 2147483000; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2937; }
.root.right { right: 20px; } .root.left { left: 20px; }
.launcher { width: 56px; height: 56px; border-radius: 50%; border: 0; cursor: pointer; background: var(--parley-color); color: var(--parley-text);
  box-shadow: 0 4px 14px rgba(0,0,0,.25); display: flex; align-items: center; justify-content: center; position: relative; }
.launcher svg { width: 26px; height: 26px; fill: currentColor; }
.badge { position: absolute; top: -4px; right: -4px; min-width: 20px; height: 20px; padding: 0 6px; border-radius: 10px; background: #dc2626; color: #fff;
  font-size: 12px; font-weight: 600; display: flex; align-items: center; justify-content: center; }
.badge[hidden] { display: none; }
.panel { position: absolute; bottom: 72px; width: 370px; height: min(600px, calc(100vh - 110px)); background: #fff; border-radius: 14px; overflow: hidden;
  box-shadow: 0 10px 40px rgba(0,0,0,.22); display: flex; flex-direction: column; }
.root.right .panel { right: 0; } .root.left .panel { left: 0; }
.panel[hidden] { display: none; }
header { background: var(--parley-color); color: var(--parley-text); padding: 14px 16px; display: flex; align-items: flex-start; gap: 8px; }
header .titles { flex: 1; min-width: 0; }
header h2 { margin: 0; font-size: 16px; font-weight: 600; }
header p { margin: 2px 0 0; font-size: 12px; opacity: .9; }
header .dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin-right: 6px; background: #9ca3af; }
header .dot.on { background: #22c55e; }
.close { background: transparent; border: 0; color: inherit; font-size: 22px; line-height: 1; cursor: pointer; padding: 0 4px; }
.notice { background: #fef3c7; color: #92400e; font-size: 12px; padding: 6px 12px; }
.notice[hidden] { display: none; }
.list { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 8px; background: #f9fafb; }
.greeting { align-self: center; text-align: center; color: #6b7280; font-size: 13px; padding: 4px 12px; white-space: pre-wrap; }
.row { display: flex; gap: 8px; align-items: flex-end; max-width: 85%; }
.row.in { align-self: flex-end; flex-direction: row-reverse; }
.avatar { width: 28px; height: 28px; border-radius: 50%; background: #e5e7eb; color: #374151; font-size: 12px; font-weight: 600; flex: none;
  display: flex; align-items: center; justify-content: center; }
.bubble { padding: 8px 12px; border-radius: 14px; background: #fff; border: 1px solid #e5e7eb; white-space: pre-wrap; word-break: break-word; }
.row.in .bubble { background: var(--parley-color); color: var(--parley-text); border-color: transparent; }
.author { font-size: 11px; color: #6b7280; margin-bottom: 2px; }
.meta { font-size: 11px; color: #6b7280; margin-top: 2px; text-align: right; }
.meta.failed { color: #dc2626; cursor: pointer; }
.choices { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
.choices button { border: 1px solid var(--parley-color); background: #fff; color: #111827; border-radius: 8px; padding: 6px 10px; cursor: pointer; font: inherit; }
.choices button:disabled { opacity: .5; cursor: default; }
.typing { font-size: 12px; color: #6b7280; padding: 0 14px 6px; background: #f9fafb; min-height: 18px; }
form.composer { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #e5e7eb; background: #fff; }
textarea { flex: 1; resize: none; border: 1px solid #d1d5db; border-radius: 10px; padding: 8px 10px; font: inherit; color: inherit; max-height: 120px; min-height: 38px; }
textarea:focus, input:focus { outline: 2px solid var(--parley-color); outline-offset: -1px; }
.send { border: 0; border-radius: 10px; padding: 0 14px; background: var(--parley-color); color: var(--parley-text); font: inherit; font-weight: 600; cursor: pointer; }
.send:disabled { opacity: .5; cursor: default; }
form.prechat { padding: 16px; display: flex; flex-direction: column; gap: 10px; overflow-y: auto; flex: 1; }
form.prechat label { display: flex; flex-direction: column; gap: 4px; font-size: 13px; }
form.prechat input { border: 1px solid #d1d5db; border-radius: 8px; padding: 8px 10px; font: inherit; }
form.prechat .error { color: #dc2626; font-size: 12px; }
form.email-ask { align-self: stretch; background: #fff; border: 1px solid #e5e7eb; border-radius: 10px; padding: 10px; display: flex; flex-wrap: wrap; gap: 6px; font-size: 13px; }
form.email-ask label { flex-basis: 100%; color: #374151; }
form.email-ask input { flex: 1; min-width: 0; border: 1px solid #d1d5db; border-radius: 8px; padding: 6px 8px; font: inherit; }
form.email-ask .send { padding: 6px 12px; }
form.email-ask .error { flex-basis: 100%; color: #dc2626; font-size: 12px; }
@media (max-width: 480px) {
  .root { bottom: 12px; } .root.right { right: 12px; } .root.left { left: 12px; }
  .panel { position: fixed; inset: 0; width: 100vw; height: 100%; border-radius: 0; bottom: 0; }
}
`;
