import { Dialog } from '../ui/dialog.js';

export const SHORTCUTS: Array<[string, string]> = [
  ['j / k', 'Next / previous conversation'],
  ['Enter', 'Open the selected conversation'],
  ['/', 'Search'],
  ['e', 'Resolve (reopen when resolved)'],
  ['a', 'Assign: jump to the assignee picker'],
  ['r', 'Reply'],
  ['n', 'Write a private note'],
  ['Enter', 'Send (Shift+Enter: new line); Ctrl+Enter sends too'],
  ['Esc', 'Leave the composer or search'],
  ['g i / g q / g r / g s', 'Go to inbox / live queue / reports / settings'],
  ['?', 'This help'],
];

export function ShortcutHelp({ onClose }: { onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose}>
      <table className="shortcuts">
        <tbody>
          {SHORTCUTS.map(([keys, what]) => (
            <tr key={`${keys}-${what}`}>
              <th scope="row">
                {keys.split(' / ').map((key, index) => (
                  <span key={key}>
                    {index > 0 && ' / '}
                    <kbd>{key}</kbd>
                  </span>
                ))}
              </th>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
