/**
 * Amounts in the currency's smallest unit, as payment APIs count them, and amounts as invoices print
 * them. Kept free of heavy imports: the PDF library loads only in the render workers.
 */

/** Digits after the decimal point of a currency (INR 2, JPY 0, KWD 3). */
export function minorUnitDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** 500 rupees -> 50000 paise (an integer; fees like 499.99 round to the nearest paisa). */
export function toMinorUnits(amount: number, currency: string): number {
  return Math.round(amount * 10 ** minorUnitDigits(currency));
}

/** 50000 paise -> 500 rupees. */
export function fromMinorUnits(amount: number, currency: string): number {
  return amount / 10 ** minorUnitDigits(currency);
}

/** "₹500.00": invoices, payment notes and alerts always show the minor unit. */
export function formatAmount(amount: number, currency: string): string {
  return new Intl.NumberFormat('en-IN', { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(amount);
}
