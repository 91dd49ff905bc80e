/**
 * Words patients use, in English, Hindi (Devanagari) and Hinglish (Hindi in Latin letters). Phrases are
 * written already normalised (lower case, single spaces); common misspellings are caught by the typo
 * corrector, so only spellings that are too far from the standard one are listed.
 */
import type { PartOfDay } from '../../core/ports.js';

/** Words that ask to cancel. */
export const CANCEL_WORDS = [
  'cancel', 'cancelled', 'canceled', 'cancellation', 'cancle', 'cancal', 'cancil', 'cansel', 'radd', 'rad kar', 'rad karo',
  'cancel kar', 'cancel karna', 'cancel kardo', 'cancel krdo', 'call off', 'dont want the appointment', 'not coming',
  'cant come', 'cannot come', 'can not come', 'wont be able to come', 'unable to come', 'nahi aa paunga', 'nahi aa paungi',
  'nahi aa sakta', 'nahi aa sakti', 'nahi aaunga', 'nahi aaungi', 'रद्द', 'कैंसल', 'कैंसिल', 'नहीं आ पाऊंगा', 'नहीं आ पाऊँगा', 'नहीं आ पाऊंगी',
];

/** Words that ask to move an appointment. */
export const RESCHEDULE_WORDS = [
  'reschedule', 'rescheduled', 'reschedul', 'reshedule', 're schedule', 'postpone', 'prepone', 'change my appointment',
  'change appointment', 'change the appointment', 'change the time', 'change time', 'change the date', 'change date',
  'change my slot', 'change slot', 'change the slot', 'move my appointment', 'move appointment', 'shift my appointment',
  'shift appointment', 'shift the appointment', 'another date', 'different date', 'another day', 'different day',
  'different time', 'another time', 'time badal', 'date badal', 'din badal', 'badalna', 'badal do', 'badal dijiye',
  'badlo', 'badalni', 'badal sakte', 'change karna', 'change kar', 'change krna', 'change kr', 'aage kar', 'aage badha',
  'shift kar', 'shift karna', 'change to', 'shift to', 'move to', 'move it to', 'बदल', 'बदलना', 'बदलनी', 'आगे कर', 'रीशेड्यूल',
];

/** Words that ask for a bill or invoice. */
export const INVOICE_WORDS = [
  'invoice', 'invoices', 'bill', 'bills', 'billing', 'receipt', 'reciept', 'recipt', 'receipts', 'rasid', 'raseed', 'raseed',
  'payment proof', 'payment receipt', 'gst', 'बिल', 'रसीद', 'इनवॉइस', 'इनवॉयस',
];

/** Things a patient uploads. */
export const REPORT_NOUNS = [
  'report', 'reports', 'xray', 'x ray', 'scan', 'scans', 'mri', 'ct scan', 'ultrasound', 'test result', 'test results',
  'lab result', 'lab results', 'blood test', 'prescription', 'pdf', 'document', 'documents', 'रिपोर्ट', 'रिपोर्ट्स', 'जांच',
];

/** Verbs of sending a file. */
export const UPLOAD_VERBS = [
  'upload', 'uploading', 'attach', 'send', 'share', 'submit', 'bhej', 'bhejna', 'bhejni', 'bhejna hai', 'bhejni hai',
  'bhejdu', 'bhej du', 'bhej doon', 'bhejo', 'bheju', 'dena', 'dikhana', 'add', 'अपलोड', 'भेज', 'भेजना', 'भेजनी', 'भेजूं',
];

/** Asking to see one's own appointments. */
export const MY_APPOINTMENTS_WORDS = [
  'my appointment', 'my appointments', 'my booking', 'my bookings', 'my slot', 'my visit', 'mera appointment',
  'meri appointment', 'mere appointment', 'mera booking', 'meri booking', 'mere booking', 'mera slot', 'appointment kab',
  'booking kab', 'appointment status', 'booking status', 'when is my', 'what time is my', 'which time is my', 'upcoming',
  'kab hai mera', 'kab hai meri', 'मेरा अपॉइंटमेंट', 'मेरी अपॉइंटमेंट', 'मेरे अपॉइंटमेंट', 'मेरी बुकिंग', 'मेरा बुकिंग',
  'अपॉइंटमेंट कब', 'बुकिंग कब', 'do i have', 'have i booked', 'did i book', 'any booking', 'any appointment',
];

/** Verbs that make a message a new booking even when "my appointment" also appears. */
export const EXPLICIT_BOOK_WORDS = [
  'book', 'booking karni', 'booking karna', 'book karna', 'book karo', 'book kar', 'book krna', 'book kr', 'book krdo',
  'new appointment', 'another appointment', 'one more appointment', 'fresh appointment', 'schedule an', 'fix an',
  'fix appointment', 'बुक',
];

/** Clear signs that the patient wants to see a doctor. */
export const BOOK_WORDS = [
  ...EXPLICIT_BOOK_WORDS,
  'appointment', 'appointments', 'appt', 'appoinment', 'apointment', 'appontment', 'apptmnt', 'booking', 'slot', 'slots',
  'consult', 'consultation', 'checkup', 'check up', 'visit', 'doctor', 'doctors', 'dr', 'doc', 'docter', 'doctar',
  'daktar', 'dactor', 'specialist', 'see a doctor', 'meet the doctor', 'available', 'availability', 'schedule',
  'treatment', 'ilaj', 'ilaaj', 'इलाज', 'अपॉइंटमेंट', 'अपोइंटमेंट', 'एपॉइंटमेंट', 'डॉक्टर', 'डॉ', 'डाक्टर', 'बुकिंग', 'स्लॉट',
  'जांच करवानी', 'pain', 'dard', 'दर्द', 'problem', 'samasya', 'takleef', 'taklif', 'pareshani', 'समस्या', 'तकलीफ', 'परेशानी',
];

/** Words that lean towards booking but also fit other requests ("madad chahiye"): they count last. */
export const WEAK_BOOK_WORDS = [
  'dikhana', 'dikhani', 'dikhane', 'dikha', 'dikhao', 'milna', 'milne', 'mil sakte', 'milna hai', 'chahiye', 'chaiye',
  'chahie', 'karwana', 'karwani', 'lena hai', 'leni hai', 'दिखाना', 'दिखाने', 'मिलना', 'चाहिए',
];

/** Plainly not about the clinic's appointments: answered briefly, and nothing in them is read as a wish. */
export const OFF_TOPIC_WORDS = [
  'weather', 'cricket', 'match', 'score', 'movie', 'movies', 'song', 'songs', 'joke', 'jokes', 'news', 'pizza', 'petrol',
  'stock', 'share price', 'recipe', 'is the clinic open', 'clinic open', 'opening hours', 'timings of the clinic',
  'clinic timings', 'clinic timing', 'parking', 'your name', 'who are you', 'are you a robot', 'are you human', 'मौसम',
];

/** Asking how the service works. */
export const HELP_WORDS = [
  'help', 'helpp', 'madad', 'sahayata', 'how does this work', 'how to use', 'how do i', 'how can i', 'what can you do',
  'what do you do', 'kya kar sakte', 'kaise kare', 'kaise karu', 'kaise karein', 'kaise karna', 'samajh nahi', 'samjh nahi',
  'dont understand', 'do not understand', 'confused', 'options', 'guide me', 'मदद', 'सहायता', 'कैसे करें', 'समझ नहीं',
];

/** Greetings: said alone they are answered with the menu. */
export const GREETING_WORDS = [
  'hi', 'hii', 'hiii', 'hiiii', 'hello', 'helo', 'hlo', 'hllo', 'helloo', 'hello there', 'hey', 'heya', 'namaste', 'namastey', 'namaskar',
  'namaskaar', 'good morning', 'good afternoon', 'good evening', 'gm', 'hola', 'yo', 'pranam', 'ram ram', 'sat sri akal',
  'salaam', 'salam', 'assalamualaikum', 'नमस्ते', 'नमस्कार', 'प्रणाम', 'हेलो', 'हाय', 'राम राम',
];

/** "good morning" is a greeting, not a wish for a morning slot. */
export const GREETING_PHRASES_WITH_TIME = ['good morning', 'good afternoon', 'good evening', 'gud morning', 'good mrng', 'gm'];

/** Words naming a doctor ahead of a name ("dr rajiv", "doctor sharma", "डॉ राजीव"). */
export const DOCTOR_TITLES = ['dr', 'dr.', 'doctor', 'doc', 'docter', 'doctar', 'daktar', 'dactor', 'डॉ', 'डॉक्टर', 'डा', 'डाक्टर', 'डॉ.'];

/** Part-of-day words. */
export const PART_OF_DAY_WORDS: Record<PartOfDay, string[]> = {
  morning: ['morning', 'mrng', 'mornin', 'morng', 'subah', 'subha', 'suba', 'subeh', 'sube', 'savere', 'sawere', 'सुबह', 'सवेरे', 'प्रातः', 'forenoon', 'am slot'],
  afternoon: ['afternoon', 'aftrnoon', 'noon', 'dopahar', 'dopehar', 'dupahar', 'dophar', 'dopher', 'dopaher', 'lunch time', 'after lunch', 'दोपहर'],
  evening: ['evening', 'evng', 'eve', 'evning', 'shaam', 'sham', 'shām', 'shyam', 'sam ko', 'tonight', 'night', 'raat', 'after office', 'after work', 'शाम', 'रात'],
};

/** Days from today named by a word. */
export const RELATIVE_DAY_WORDS: Record<string, number> = {
  today: 0, tday: 0, '2day': 0, aaj: 0, aj: 0, aajj: 0, 'आज': 0, tonight: 0,
  tomorrow: 1, tomorow: 1, tommorow: 1, tommorrow: 1, tomorrw: 1, tomarrow: 1, tmrw: 1, tmr: 1, tmrow: 1, tmorrow: 1,
  '2moro': 1, '2morrow': 1, '2mrw': 1, kal: 1, kl: 1, kaal: 1, 'कल': 1,
  parso: 2, parson: 2, parsho: 2, parsoo: 2, parsun: 2, 'परसों': 2, 'परसो': 2,
  narso: 3, 'नरसों': 3,
};

/** Phrases meaning the day after tomorrow. */
export const DAY_AFTER_TOMORROW = ['day after tomorrow', 'day after tmrw', 'day after tomorow', 'day after tommorow', 'day after tmr'];

/** Asking for the earliest free time. */
export const EARLIEST_WORDS = [
  'asap', 'as soon as possible', 'earliest', 'earliest available', 'first available', 'next available', 'soonest',
  'urgent', 'urgently', 'emergency', 'immediately', 'right now', 'right away', 'jaldi', 'jldi', 'jaldi se', 'jald se jald',
  'turant', 'abhi', 'abi', 'फौरन', 'जल्दी', 'तुरंत', 'अभी', 'jitna jaldi', 'any time soon', 'anytime soon', 'quickly',
];

/** Weekdays in Hindi and Hinglish (1 = Monday … 7 = Sunday). */
export const WEEKDAY_WORDS: Record<string, number> = {
  monday: 1, mon: 1, somvar: 1, somwar: 1, 'सोमवार': 1,
  tuesday: 2, tue: 2, tues: 2, mangalvar: 2, mangalwar: 2, mangal: 2, 'मंगलवार': 2,
  wednesday: 3, wed: 3, budhvar: 3, budhwar: 3, budh: 3, 'बुधवार': 3,
  thursday: 4, thu: 4, thur: 4, thurs: 4, guruvar: 4, guruwar: 4, veervar: 4, virvar: 4, brihaspativar: 4, 'गुरुवार': 4, 'बृहस्पतिवार': 4,
  friday: 5, fri: 5, shukravar: 5, shukrawar: 5, shukarvar: 5, 'शुक्रवार': 5,
  saturday: 6, shanivar: 6, shaniwar: 6, 'शनिवार': 6,
  sunday: 7, ravivar: 7, raviwar: 7, itwar: 7, itvar: 7, 'रविवार': 7, 'इतवार': 7,
};

/** Month names in Hindi, turned into English so the date parser reads "28 नवंबर". */
export const HINDI_MONTHS: Record<string, string> = {
  'जनवरी': 'january', 'फरवरी': 'february', 'मार्च': 'march', 'अप्रैल': 'april', 'मई': 'may', 'जून': 'june', 'जुलाई': 'july',
  'अगस्त': 'august', 'सितंबर': 'september', 'सितम्बर': 'september', 'अक्टूबर': 'october', 'नवंबर': 'november', 'नवम्बर': 'november',
  'दिसंबर': 'december', 'दिसम्बर': 'december',
};

/** Words after an hour that make it a time ("4 baje", "10 am"). */
export const HOUR_MARKERS = ['am', 'pm', 'baje', 'bje', 'baj', 'बजे', 'oclock', 'o clock', 'hrs', 'hours'];
