// Settings → Careers site (issue 20 item 4): the public careers page's display name, accent
// colour (checked for contrast with white text by the server), website link, logo
// (PNG/JPEG/WebP up to 256 KiB) and the origins allowed to embed the listing.
import { del, get, put } from '../api.js';
import { useSession } from '../session.js';
import { ErrorBox, NotLoaded, useAction } from '../ui.js';
import { SettingsCard, useSettingsForm } from '../settings-form.js';

interface Branding {
  displayName: string | null;
  accentColor: string | null;
  websiteUrl: string | null;
  logo: { type: string; sha256: string } | null;
  embedOrigins: string[];
  updatedAt: string | null;
}

export function CareersBrandingForm() {
  const session = useSession();
  const { stored: r, draft: form, edit, save, saved, commit } = useSettingsForm<Branding, { displayName: string; accentColor: string; websiteUrl: string; embedOrigins: string }>(() => get<Branding>('/api/v1/org/branding'));
  const logo = useAction();
  if (!r.data) return <NotLoaded error={r.error} card />;
  const d = r.data;
  const slug = session.org?.slug ?? '';
  const f = form ?? { displayName: d.displayName ?? '', accentColor: d.accentColor ?? '', websiteUrl: d.websiteUrl ?? '', embedOrigins: d.embedOrigins.join('\n') };
  const set = (p: Partial<typeof f>): void => edit(f, p);
  const submit = (): void => {
    commit(() =>
      put<Branding>('/api/v1/org/branding', {
        displayName: f.displayName.trim() || null,
        accentColor: f.accentColor.trim() || null,
        websiteUrl: f.websiteUrl.trim() || null,
        embedOrigins: f.embedOrigins.split(/\s+/).filter(Boolean),
      }),
    );
  };
  return (
    <SettingsCard
      id="careers"
      labelledBy="careers-h"
      save={save}
      saved={saved}
      savedText="Careers site saved."
      submitLabel="Save careers site"
      after={
        <fieldset>
          <legend>Logo</legend>
          {d.logo ? <img src={`/jobs/${slug}/brand/logo?v=${d.logo.sha256.slice(0, 16)}`} alt="Current logo" height={40} data-testid="logo-preview" /> : <p class="muted">No logo yet.</p>}
          <label>
            Upload a logo (PNG, JPEG or WebP, up to 256 KiB)
            <input
              name="logo"
              type="file"
              accept="image/png,image/jpeg,image/webp"
              onChange={(e) => {
                const file = e.currentTarget.files?.[0];
                if (file) void logo.run(async () => r.setData(await put<Branding>('/api/v1/org/branding/logo', file)));
              }}
            />
          </label>
          {d.logo ? (
            <button type="button" class="secondary" disabled={logo.busy} onClick={() => void logo.run(async () => (await del('/api/v1/org/branding/logo'), r.setData(await get<Branding>('/api/v1/org/branding'))))}>
              Remove logo
            </button>
          ) : null}
          <ErrorBox error={logo.error} />
        </fieldset>
      }
      onSubmit={submit}
    >
      <h2 id="careers-h">Careers site</h2>
      <p class="muted">
        Your public job listing is at{' '}
        <a href={`/jobs/${slug}`} target="_blank" rel="noopener" data-testid="careers-link">
          /jobs/{slug}
        </a>{' '}
        (sitemap: <a href={`/jobs/${slug}/sitemap.xml`}>/jobs/{slug}/sitemap.xml</a>). Open jobs appear there until they are closed or pass their “valid through” date.
      </p>
      <label>
        Display name
        <input name="displayName" maxLength={120} value={f.displayName} placeholder={session.org?.name ?? ''} onInput={(e) => set({ displayName: e.currentTarget.value })} />
      </label>
      <label>
        Accent colour (#rrggbb; white text on it must be readable)
        <input name="accentColor" pattern="#[0-9A-Fa-f]{6}" maxLength={7} value={f.accentColor} placeholder="#1d4ed8" onInput={(e) => set({ accentColor: e.currentTarget.value })} />
      </label>
      <label>
        Your website (https)
        <input name="websiteUrl" type="url" maxLength={300} value={f.websiteUrl} onInput={(e) => set({ websiteUrl: e.currentTarget.value })} />
      </label>
      <label>
        Sites that may embed the listing (one origin per line, e.g. https://www.example.com)
        <textarea name="embedOrigins" rows={3} value={f.embedOrigins} onInput={(e) => set({ embedOrigins: e.currentTarget.value })} />
      </label>
      <p class="muted">
        Embed with <code>{`<iframe src="${location.origin}/jobs/${slug}/embed.html">`}</code> or read <code>/api/v1/public/jobs/{slug}</code> (JSON, CORS).
      </p>
    </SettingsCard>
  );
}
