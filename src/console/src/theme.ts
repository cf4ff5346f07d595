/**
 * The console's theme, tuned for WCAG AA contrast (axe-core's color-contrast rule): filled controls
 * in the darkest shade, darker secondary text, near-black text on light tints, outlines in shade 9.
 */
import {
  type CSSVariablesResolver,
  createTheme,
  defaultVariantColorsResolver,
  parseThemeColor,
  type VariantColorsResolver,
} from '@mantine/core';

const variantColorResolver: VariantColorsResolver = (input) => {
  const colors = defaultVariantColorsResolver(input);
  if (!['light', 'outline', 'subtle', 'default'].includes(input.variant)) return colors;
  const parsed = parseThemeColor({ color: input.color || input.theme.primaryColor, theme: input.theme });
  if (!parsed.isThemeColor || input.variant === 'default') return colors;
  // on a light tint only near-black text keeps 4.5:1 for every hue (yellow, orange, green)
  const strong =
    input.variant === 'light' ? 'var(--mantine-color-black)' : `var(--mantine-color-${parsed.color}-9)`;
  return {
    ...colors,
    color: strong,
    hoverColor: strong,
    border: input.variant === 'outline' ? `1px solid ${strong}` : colors.border,
  };
};

export const theme = createTheme({
  primaryColor: 'indigo',
  primaryShade: 9,
  autoContrast: true,
  luminanceThreshold: 0.4,
  defaultRadius: 'sm',
  variantColorResolver,
});

export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    '--mantine-color-placeholder': 'var(--mantine-color-gray-7)',
  },
  dark: {},
});
