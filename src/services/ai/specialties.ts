/**
 * Specialties: the names clinics give them ("Cardiology", "Cardiologist", "Heart Specialist") and the
 * lay words patients use for them ("heart", "BP", "दिल"). A lay word only ever maps to a specialty the
 * clinic actually has, spelt the way the clinic spells it.
 */
import { comparable } from '../../core/text.js';

export interface SpecialtyConcept {
  key: string;
  /** How clinics name the specialty (matched against the clinic's Specialty values). */
  names: readonly string[];
  /** What patients say (normalised words or phrases). */
  layWords: readonly string[];
}

/** Concepts in priority order: when a message names several, the earlier wins (a child's fever is paediatrics). */
export const SPECIALTY_CONCEPTS: readonly SpecialtyConcept[] = [
  {
    key: 'paediatrics',
    names: ['paediatrics', 'pediatrics', 'paediatric', 'pediatric', 'paediatrician', 'pediatrician', 'child specialist', 'child health', 'neonatology'],
    layWords: [
      'child', 'children', 'childs', 'kid', 'kids', 'baby', 'babies', 'infant', 'newborn', 'new born', 'toddler', 'vaccination',
      'vaccinations', 'vaccine', 'vaccines', 'immunisation', 'immunization', 'teeka', 'tika', 'teekakaran', 'bacha', 'bachha',
      'bachcha', 'baccha', 'bache', 'bachhe', 'bachche', 'bacche', 'bachon', 'bachhon', 'bacchon', 'bachchon', 'bachi', 'bachhi', 'bacchi', 'shishu', 'paediatrician',
      'pediatrician', 'peadiatrician', 'pediatric', 'paediatric', 'child specialist', 'baby doctor', 'kids doctor',
      'बच्चा', 'बच्चे', 'बच्ची', 'बच्चों', 'शिशु', 'टीका', 'टीकाकरण', 'वैक्सीन',
    ],
  },
  {
    key: 'cardiology',
    names: ['cardiology', 'cardiologist', 'cardiac', 'heart specialist', 'heart'],
    layWords: [
      'heart', 'cardiac', 'cardio', 'cardiology', 'cardiologist', 'bp', 'blood pressure', 'high bp', 'low bp', 'hypertension',
      'chest pain', 'palpitation', 'palpitations', 'heartbeat', 'heart beat', 'dil', 'seene mein dard', 'seene me dard', 'ecg',
      'dil ka doctor', 'heart doctor', 'दिल', 'हृदय', 'हार्ट', 'बीपी', 'ब्लड प्रेशर', 'सीने',
    ],
  },
  {
    key: 'dermatology',
    names: ['dermatology', 'dermatologist', 'skin specialist', 'skin', 'skin and hair', 'cosmetology', 'venereology'],
    layWords: [
      'skin', 'rash', 'rashes', 'itching', 'itch', 'itchy', 'acne', 'pimple', 'pimples', 'hair fall', 'hairfall', 'hair loss',
      'dandruff', 'eczema', 'psoriasis', 'fungal', 'fungus', 'ringworm', 'khujli', 'kharish', 'daad', 'daane', 'dane',
      'chamdi', 'twacha', 'baal jhad', 'baal gir', 'baal jhadna', 'baal girna', 'baal jhad rahe', 'mahase', 'muhase', 'allergy on skin',
      'skin allergy', 'dermatology', 'dermatologist', 'derma', 'derm', 'skin doctor', 'white patches', 'pigmentation', 'warts',
      'त्वचा', 'खुजली', 'चमड़ी', 'दाने', 'मुंहासे', 'बाल झड़', 'बाल गिर', 'स्किन', 'दाद',
    ],
  },
  {
    key: 'gynaecology',
    names: ['gynaecology', 'gynecology', 'gynaecologist', 'gynecologist', 'obstetrics', 'obstetrics and gynaecology', 'obgyn', 'ob gyn', 'women health'],
    layWords: [
      'pregnancy', 'pregnant', 'periods', 'period', 'menstrual', 'menstruation', 'pcos', 'pcod', 'gynae', 'gynaec', 'gyno',
      'gynaecologist', 'gynecologist', 'gynecology', 'gynaecology', 'lady doctor', 'delivery', 'prenatal', 'antenatal',
      'garbh', 'garbhavastha', 'mahwari', 'mahawari', 'masik', 'white discharge', 'pregnancy test', 'miscarriage',
      'गर्भ', 'गर्भावस्था', 'प्रेगनेंसी', 'पीरियड', 'पीरियड्स', 'माहवारी', 'मासिक', 'महिला डॉक्टर',
    ],
  },
  {
    key: 'orthopaedics',
    names: ['orthopaedics', 'orthopedics', 'orthopaedic', 'orthopedic', 'ortho', 'orthopaedician', 'bone specialist', 'bones and joints'],
    layWords: [
      'bone', 'bones', 'joint', 'joints', 'joint pain', 'knee', 'knees', 'knee pain', 'back pain', 'backache', 'back ache',
      'lower back', 'spine', 'fracture', 'sprain', 'shoulder pain', 'neck pain', 'arthritis', 'ortho', 'orthopedic',
      'orthopaedic', 'orthopedist', 'haddi', 'haddiyon', 'ghutna', 'ghutne', 'ghutnon', 'kamar', 'kamar dard', 'jodo',
      'jodon', 'jodon ka dard', 'moch', 'हड्डी', 'हड्डियों', 'घुटना', 'घुटने', 'घुटनों', 'कमर', 'जोड़ों', 'जोड़', 'मोच',
    ],
  },
  {
    key: 'ophthalmology',
    names: ['ophthalmology', 'ophthalmologist', 'eye specialist', 'eye', 'eyes', 'optometry'],
    layWords: [
      'eye', 'eyes', 'vision', 'eyesight', 'spectacles', 'glasses', 'cataract', 'red eye', 'aankh', 'ankh', 'aankhon',
      'ankhon', 'aankhe', 'nazar', 'chashma', 'eye doctor', 'eye specialist', 'ophthalmologist', 'आंख', 'आँख', 'आंखों', 'आँखों', 'चश्मा',
    ],
  },
  {
    key: 'ent',
    names: ['ent', 'otolaryngology', 'otorhinolaryngology', 'ear nose throat', 'ear nose and throat', 'ent specialist'],
    layWords: [
      'ear', 'ears', 'earache', 'ear pain', 'nose', 'throat', 'sore throat', 'sinus', 'sinusitis', 'tonsil', 'tonsils',
      'hearing', 'ent', 'kaan', 'kan', 'naak', 'nak', 'gala', 'gale', 'gale mein', 'gala kharab', 'कान', 'नाक', 'गला', 'गले',
    ],
  },
  {
    key: 'dentistry',
    names: ['dentistry', 'dental', 'dentist', 'dental surgeon', 'oral health'],
    layWords: [
      'teeth', 'tooth', 'toothache', 'tooth ache', 'dental', 'dentist', 'gums', 'gum', 'cavity', 'cavities', 'root canal',
      'braces', 'daant', 'dant', 'daanth', 'daat', 'दांत', 'दाँत', 'मसूड़े',
    ],
  },
  {
    key: 'general',
    names: [
      'general physician', 'general medicine', 'general practitioner', 'physician', 'gp', 'family medicine', 'family physician',
      'internal medicine', 'medicine', 'general',
    ],
    layWords: [
      'fever', 'feaver', 'fevar', 'cold', 'cough', 'flu', 'viral', 'headache', 'head ache', 'weakness', 'body pain', 'body ache',
      'vomiting', 'loose motion', 'loose motions', 'diarrhoea', 'diarrhea', 'stomach', 'stomach ache', 'stomach pain',
      'acidity', 'gas', 'diabetes', 'sugar', 'thyroid', 'infection', 'dengue', 'malaria', 'typhoid', 'general physician',
      'physician', 'general doctor', 'family doctor', 'gp', 'general checkup', 'general check up', 'health checkup', 'full body checkup', 'body checkup', 'routine checkup',
      'bukhar', 'bukhaar', 'bukar', 'khansi', 'khaasi', 'khasi', 'zukam', 'jukam', 'sardi', 'sar dard', 'sir dard',
      'sardard', 'pet dard', 'pet me dard', 'pet mein dard', 'kamzori', 'ulti', 'dast', 'chakkar', 'बुखार', 'खांसी', 'खाँसी',
      'जुकाम', 'सर्दी', 'सिर दर्द', 'सरदर्द', 'पेट', 'कमजोरी', 'कमज़ोरी', 'उल्टी', 'दस्त', 'चक्कर', 'शुगर', 'डायबिटीज',
    ],
  },
];

/** Which of the clinic's specialty values stands for each concept. */
export function clinicSpecialtiesByConcept(clinicSpecialties: readonly string[]): Map<string, string> {
  const byConcept = new Map<string, string>();
  for (const specialty of clinicSpecialties) {
    const concept = conceptOfSpecialtyName(specialty);
    if (concept && !byConcept.has(concept.key)) byConcept.set(concept.key, specialty);
  }
  return byConcept;
}

/** The concept a clinic's Specialty value names ("Cardiologist" -> cardiology), if any. */
export function conceptOfSpecialtyName(specialty: string): SpecialtyConcept | undefined {
  const name = comparable(specialty);
  const exact = SPECIALTY_CONCEPTS.find((concept) => concept.names.includes(name));
  if (exact) return exact;
  // "Consultant Cardiologist", "Skin & Hair Clinic": a known name inside a longer one.
  return SPECIALTY_CONCEPTS.find((concept) => concept.names.some((n) => n.length >= 3 && ` ${name} `.includes(` ${n} `)));
}
