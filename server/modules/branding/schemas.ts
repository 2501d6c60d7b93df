// TypeBox schemas for the branding API.
import { Type } from 'typebox';
import { DisplayText } from '../../core/schemas.js';

export const BrandingBody = Type.Object(
  {
    displayName: Type.Optional(Type.Union([DisplayText(120), Type.Null()])),
    accentColor: Type.Optional(Type.Union([Type.String({ pattern: '^#[0-9A-Fa-f]{6}$', description: '#rrggbb; white text on it needs a contrast of at least 4.5:1' }), Type.Null()])),
    websiteUrl: Type.Optional(Type.Union([Type.String({ maxLength: 300 }), Type.Null()])),
    embedOrigins: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 10, description: 'Origins allowed to frame /jobs/<org>/embed.html and read the JSON feed (CORS).' })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const Branding = Type.Object({
  displayName: Type.Union([Type.String(), Type.Null()]),
  accentColor: Type.Union([Type.String(), Type.Null()]),
  websiteUrl: Type.Union([Type.String(), Type.Null()]),
  logo: Type.Union([Type.Object({ type: Type.String(), sha256: Type.String() }), Type.Null()]),
  embedOrigins: Type.Array(Type.String()),
  updatedAt: Type.Union([Type.String(), Type.Null()]),
});
