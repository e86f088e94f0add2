import { shopApp } from './app';

shopApp().synth();
