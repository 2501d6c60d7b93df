// The console's settings cards (retention, privacy contact, AI, voice, careers site, SSO,
// bias thresholds...): settings loaded once, the member's edits kept as a draft over them, a
// save that shows what the server stored, and the same error / "saved" / submit footer.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ErrorBox, Notice, useAction, useData } from './ui.js';

/** `T` is the settings as the API answers them, `F` the form's fields as the member edits them. */
export function useSettingsForm<T, F extends object>(load: () => Promise<T>) {
  const stored = useData(load, []);
  const [draft, setDraft] = useState<F | null>(null);
  const save = useAction();
  const [saved, setSaved] = useState(false);
  /** One edit over the form as shown (`current`); an earlier "saved" no longer holds. */
  const edit = (current: F, patch: Partial<F>): void => {
    setSaved(false);
    setDraft({ ...current, ...patch });
  };
  /** Saves: `write` answers the settings as now stored, which replace the draft; `after` runs once saved. */
  const commit = (write: () => Promise<T>, after?: () => void): void => {
    void save.run(async () => {
      stored.setData(await write());
      setDraft(null);
      setSaved(true);
      after?.();
    });
  };
  return { stored, draft, edit, save, saved, setSaved, commit };
}

interface SettingsCardProps {
  id?: string;
  labelledBy?: string;
  onSubmit: () => void;
  save: { busy: boolean; error: unknown };
  /** Shown instead of the save error when set (a card with a second action). */
  error?: unknown;
  saved: boolean;
  savedText: string;
  submitLabel: string;
  children: ComponentChildren;
  /** After the submit button, inside the form. */
  after?: ComponentChildren;
}

/** A settings `<form class="card">`: its fields, then the error, the "saved" notice and the submit button. */
export function SettingsCard(props: SettingsCardProps) {
  return (
    <form
      id={props.id}
      class="card"
      aria-labelledby={props.labelledBy}
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit();
      }}
    >
      {props.children}
      <ErrorBox error={props.error ?? props.save.error} />
      {props.saved ? <Notice>{props.savedText}</Notice> : null}
      <button type="submit" disabled={props.save.busy}>
        {props.submitLabel}
      </button>
      {props.after}
    </form>
  );
}
