// Form fields the console repeats: a labelled select over a value → label map.
import type { ComponentChildren } from 'preact';

/** The `<option>`s of a value → label map, in the map's order. */
export function Options({ of }: { of: Record<string, string> }) {
  return (
    <>
      {Object.entries(of).map(([k, v]) => (
        <option key={k} value={k}>
          {v}
        </option>
      ))}
    </>
  );
}

/** A `<label>` holding its text and a select; `children` are options placed before those of `options`. */
export function SelectField(props: { label: ComponentChildren; name?: string; value: string; onChange: (value: string) => void; options?: Record<string, string>; children?: ComponentChildren }) {
  return (
    <label>
      {props.label}
      <select name={props.name} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        {props.children}
        {props.options ? <Options of={props.options} /> : null}
      </select>
    </label>
  );
}
